package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.XvncServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * `vncgate demo` killed with -9 (no shutdown hook runs) leaves neither its Xvnc running nor its
 * signing key on disk; what it leaves without Xvnc (a folder with no key) goes at the next start.
 */
@Timeout(120)
class DemoKilledTest {
  private static final Pattern XVNC = Pattern.compile("X desktop: Xvnc :(\\d+) on 127\\.0\\.0\\.1:(\\d+)");
  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

  /** A demo in its own JVM, as `vncgate demo` runs; its output lines so far. */
  private record Running(Process process, List<String> lines) {
    String awaitLine(String contains) throws InterruptedException {
      for (int i = 0; i < 600; i++) {
        synchronized (lines) {
          for (String l : lines) if (l.contains(contains)) return l;
        }
        if (!process.isAlive()) break;
        Thread.sleep(100);
      }
      throw new AssertionError("no line with '" + contains + "': " + lines);
    }
  }

  private static Running demo(String... extra) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo", "--port", "0"));
    command.addAll(List.of(extra));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
        for (String l; (l = r.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(l);
          }
        }
      } catch (IOException e) {
        // the process died
      }
    });
    reader.setDaemon(true);
    reader.start();
    return new Running(p, lines);
  }

  private static List<Path> foldersOf(long pid) throws IOException {
    try (Stream<Path> s = Files.list(TMP)) {
      return s.filter(p -> p.getFileName().toString().startsWith("vncgate-demo-" + pid + "-")).toList();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Xvnc itself (its executable is Xtigervnc on Debian), not the watchdog sh that started it. */
  private static boolean xvncRuns(int display) {
    return ProcessHandle.allProcesses().anyMatch(h -> {
      String cmd = h.info().commandLine().orElse("");
      return cmd.matches(".*X(vnc|tigervnc) :" + display + " .*") && !cmd.contains("vncgate-demo-watchdog");
    });
  }

  @Test
  void killedWithMinus9ItsXvncStopsAndItsFolderAndKeyGo() throws Exception {
    XvncServer.require();
    Running demo = demo();
    try {
      Matcher m = XVNC.matcher(demo.awaitLine("X desktop: Xvnc"));
      assertTrue(m.find());
      int display = Integer.parseInt(m.group(1));
      int port = Integer.parseInt(m.group(2));
      demo.awaitLine("http://127.0.0.1:");
      long pid = demo.process().pid();
      List<Path> folders = foldersOf(pid);
      assertEquals(1, folders.size(), folders.toString());
      assertFalse(Files.exists(folders.get(0).resolve("jwt.key")), "the signing key is deleted once read");
      assertTrue(accepts(port) && xvncRuns(display));

      demo.process().destroyForcibly(); // SIGKILL
      assertTrue(demo.process().waitFor(10, TimeUnit.SECONDS));
      boolean gone = false;
      for (int i = 0; i < 100 && !gone; i++) {
        gone = !accepts(port) && !xvncRuns(display) && foldersOf(pid).isEmpty();
        if (!gone) Thread.sleep(100);
      }
      assertFalse(accepts(port), "Xvnc still listens on " + port);
      assertFalse(xvncRuns(display), "Xvnc :" + display + " still runs");
      assertEquals(List.of(), foldersOf(pid), "the demo's folder is left");
    } finally {
      demo.process().destroyForcibly();
    }
  }

  @Test
  void anOrphanedDemoXvncFromAnOlderGatewayIsStoppedAtTheNextStart() throws Exception {
    XvncServer.require();
    int display = io.vncgate.testbeds.impl.Displays.pickFree();
    int port = io.vncgate.testbeds.FreePorts.next();
    // as an older demo killed with -9 left it: reparented to init, nobody to stop it
    new ProcessBuilder("setsid", "sh", "-c", "Xvnc :" + display + " -rfbport " + port + " -localhost -interface 127.0.0.1"
        + " -SecurityTypes None -nolisten tcp -desktop 'vncgate demo (Xvnc :" + display + ")' >/dev/null 2>&1 &")
        .start().waitFor(10, TimeUnit.SECONDS);
    for (int i = 0; i < 100 && !accepts(port); i++) Thread.sleep(100);
    assertTrue(accepts(port) && xvncRuns(display), "the orphan did not start");
    try {
      assertTrue(io.vncgate.gateway.demo.XvncDesktop.sweepOrphans() >= 1);
      for (int i = 0; i < 50 && xvncRuns(display); i++) Thread.sleep(100);
      assertFalse(xvncRuns(display), "the orphaned Xvnc :" + display + " still runs");
    } finally {
      ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").matches(".*X(vnc|tigervnc) :" + display + " .*"))
          .forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void withoutXvncTheFolderLeftByAKilledDemoHoldsNoKeyAndTheNextDemoRemovesIt() throws Exception {
    Running first = demo("--no-xvnc");
    long pid;
    try {
      first.awaitLine("http://127.0.0.1:");
      pid = first.process().pid();
      first.process().destroyForcibly();
      assertTrue(first.process().waitFor(10, TimeUnit.SECONDS));
    } finally {
      first.process().destroyForcibly();
    }
    List<Path> left = foldersOf(pid);
    assertEquals(1, left.size(), left.toString());
    assertFalse(Files.exists(left.get(0).resolve("jwt.key")), "no signing key left on disk");
    Running second = demo("--no-xvnc");
    try {
      second.awaitLine("http://127.0.0.1:");
      assertEquals(List.of(), foldersOf(pid), "swept at the next start");
    } finally {
      second.process().destroyForcibly();
      second.process().waitFor(10, TimeUnit.SECONDS);
      for (Path p : foldersOf(second.process().pid())) io.vncgate.gateway.TempDirs.deleteTree(p); // no litter
    }
  }
}
