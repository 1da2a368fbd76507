package io.vncgate.providers.desktop;

import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.ProviderException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running desktop: TigerVNC's Xvnc on display {@code :N}, listening only on the unix socket
 * {@code <state-dir>/run/x<N>.sock} (mode 0600, {@code -rfbport -1}: no TCP port; security type
 * None, since only the gateway's user can open the socket), and the session command on that
 * display with the desktop's own HOME. Launching and stopping wait for processes: call them on the
 * provider's threads only.
 */
final class LaunchedDesktop {
  private static final Logger log = LoggerFactory.getLogger(LaunchedDesktop.class);
  /** Environment variables handed on to the session; nothing else of the gateway's (its secrets stay out). */
  private static final Set<String> PASSED_ON = Set.of("PATH", "LANG", "LANGUAGE", "TZ", "SHELL", "USER", "LOGNAME",
      "TERM", "LC_ALL", "LC_CTYPE", "LC_MESSAGES");
  private static final int ATTEMPTS = 5;

  private final String id;
  private final int display;
  private final Path socket;
  private final Process xvnc;
  private final Process session;

  private LaunchedDesktop(String id, int display, Path socket, Process xvnc, Process session) {
    this.id = id;
    this.display = display;
    this.socket = socket;
    this.xvnc = xvnc;
    this.session = session;
  }

  String id() {
    return id;
  }

  Path socket() {
    return socket;
  }

  int display() {
    return display;
  }

  long pid() {
    return xvnc.pid();
  }

  boolean alive() {
    return xvnc.isAlive();
  }

  /**
   * Runs {@code action} once Xvnc or the session has ended (the user logged out, or it crashed),
   * with why in words for the viewer (see {@link #endWords}).
   */
  void onEnd(Consumer<String> action) {
    xvnc.onExit().thenRun(() -> action.accept(xvncExited()));
    session.onExit().thenRun(() -> action.accept(sessionEnded()));
  }

  /** Why it ended, once Xvnc or the session has exited (Xvnc first: its end ends the session too); empty while both run. */
  Optional<String> endWords() {
    if (!xvnc.isAlive()) return Optional.of(xvncExited());
    if (!session.isAlive()) return Optional.of(sessionEnded());
    return Optional.empty();
  }

  private String xvncExited() {
    return "the desktop's X server (Xvnc) exited (exit code " + xvnc.exitValue() + "); open it again for a fresh one";
  }

  private String sessionEnded() {
    return "the desktop's session ended (exit code " + session.exitValue() + "); open it again for a fresh one";
  }

  /**
   * Starts Xvnc on a free display, waits until its socket answers with an RFB banner, then starts
   * the session. Fails with a {@link ProviderException} in words ("Xvnc failed to start: …").
   *
   * @param taken displays this provider already uses
   */
  static LaunchedDesktop launch(DesktopSettings settings, String id, String title, DesktopSettings.Look look,
      Set<Integer> taken) {
    String file = FileNames.of(id);
    Path home = settings.stateDir().resolve("homes").resolve(file);
    Path run = settings.stateDir().resolve("run");
    Path logs = settings.stateDir().resolve("logs");
    try {
      for (Path dir : List.of(settings.stateDir(), home.getParent(), home, run, logs)) privateDir(dir);
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "cannot prepare the desktop's folder under "
          + settings.stateDir() + " (providers.desktop.state-dir): " + e.getMessage());
    }
    Path xvncLog = logs.resolve(file + ".xvnc.log");
    int display = settings.firstDisplay();
    for (int attempt = 1; ; attempt++) {
      display = freeDisplay(display, taken);
      Path socket = run.resolve("x" + display + ".sock");
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        throw new ProviderException(Kind.UNAVAILABLE, "cannot remove the old socket " + socket + ": " + e.getMessage());
      }
      Process xvnc = start(xvncCommand(settings, look, display, socket, title), home, xvncLog, environment(home, display));
      String failure = awaitSocket(xvnc, socket, settings.startTimeout(), xvncLog);
      if (failure == null) {
        Process session = start(look.session(), home, logs.resolve(file + ".session.log"), environment(home, display));
        log.info("desktop {} started: Xvnc pid {} on display :{} at {} ({}x{}, depth {}), session {}", id, xvnc.pid(),
            display, socket, look.width(), look.height(), look.depth(), look.session());
        return new LaunchedDesktop(id, display, socket, xvnc, session);
      }
      stop(xvnc);
      // another X server won the display (its lock file settles the race): try the next one
      if (failure.contains("already active") && attempt < ATTEMPTS) {
        display++;
        continue;
      }
      throw new ProviderException(Kind.UNAVAILABLE, failure);
    }
  }

  private static List<String> xvncCommand(DesktopSettings s, DesktopSettings.Look look, int display, Path socket,
      String title) {
    return List.of(s.xvnc(), ":" + display,
        "-rfbunixpath", socket.toString(), "-rfbunixmode", "0600",
        "-rfbport", "-1",                 // no TCP listener at all
        "-nolisten", "tcp",               // nor X11 over TCP
        "-SecurityTypes", "None",         // the 0600 socket in a 0700 folder admits only the gateway's user
        "-UseBlacklist=0",                // every client is the gateway: a blacklist would lock its own viewers out
        "-AlwaysShared",                  // each viewer is its own connection, all sharing the desktop
        "-geometry", look.geometry(), "-depth", String.valueOf(look.depth()),
        "-desktop", title);
  }

  private static Map<String, String> environment(Path home, int display) {
    Map<String, String> env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (PASSED_ON.contains(k)) env.put(k, v);
    });
    env.put("HOME", home.toString());
    env.put("DISPLAY", ":" + display);
    return env;
  }

  private static Process start(List<String> command, Path dir, Path log, Map<String, String> env) {
    ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    b.environment().clear();
    b.environment().putAll(env);
    try {
      return b.start();
    } catch (IOException e) {
      throw new ProviderException(Kind.UNAVAILABLE, "cannot start " + command.get(0) + ": " + e.getMessage());
    }
  }

  /** Null once the socket answers with an RFB banner; else why not, in words. */
  private static String awaitSocket(Process xvnc, Path socket, Duration timeout, Path xvncLog) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!xvnc.isAlive()) return "Xvnc failed to start: " + tail(xvncLog);
      if (Files.exists(socket) && answers(socket)) return null;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "the gateway stopped while Xvnc was starting";
      }
    }
    return "Xvnc did not open its socket within " + timeout.toSeconds() + " s: " + tail(xvncLog);
  }

  private static boolean answers(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer banner = ByteBuffer.allocate(12);
      while (banner.hasRemaining() && ch.read(banner) >= 0) {
        // blocking read of the 12-byte banner; Xvnc sends it at once
      }
      return new String(banner.array(), StandardCharsets.US_ASCII).startsWith("RFB ");
    } catch (IOException e) {
      return false;
    }
  }

  /** The last few meaningful lines of a log, joined, for a message. */
  static String tail(Path log) {
    List<String> lines;
    try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
      lines = all.map(String::strip).filter(l -> !l.isEmpty()).toList();
    } catch (IOException | UncheckedIOException e) {
      return "(no output)";
    }
    // the X server's fatal errors are its "(EE) …" lines (after a usage text, for a bad option)
    List<String> errors = lines.stream().filter(l -> l.startsWith("(EE) ")).map(l -> l.substring(5).strip())
        .filter(l -> !l.isEmpty()).toList();
    if (!errors.isEmpty()) return String.join(" / ", errors.subList(Math.max(0, errors.size() - 3), errors.size()));
    List<String> useful = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("Xvnc TigerVNC") || l.startsWith("Copyright") || l.startsWith("See https")
          || l.startsWith("Underlying X server") || l.startsWith("[mi]")) continue;
      useful.add(l);
    }
    List<String> last = useful.subList(Math.max(0, useful.size() - 3), useful.size());
    return last.isEmpty() ? "(no output)" : String.join(" / ", last);
  }

  /** The first display from {@code from} with no X socket or lock file that this provider does not hold. */
  private static int freeDisplay(int from, Set<Integer> taken) {
    for (int d = from; d < from + 2000; d++) {
      if (taken.contains(d)) continue;
      if (Files.exists(Path.of("/tmp/.X11-unix/X" + d)) || Files.exists(Path.of("/tmp/.X" + d + "-lock"))) continue;
      return d;
    }
    throw new ProviderException(Kind.UNAVAILABLE, "no free X display number from :" + from + " (providers.desktop.first-display)");
  }

  private static void privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  /** Ends the session (and what it started) and Xvnc; removes the socket. Waits up to a few seconds. */
  void stop() {
    session.descendants().forEach(ProcessHandle::destroy);
    session.destroy();
    stop(xvnc);
    session.descendants().forEach(ProcessHandle::destroyForcibly);
    session.destroyForcibly();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.debug("desktop {}: cannot remove {}: {}", id, socket, e.toString());
    }
    log.info("desktop {} stopped (display :{})", id, display);
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(3, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }
}
