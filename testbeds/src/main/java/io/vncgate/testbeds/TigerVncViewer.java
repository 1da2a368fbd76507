package io.vncgate.testbeds;

import io.vncgate.testbeds.impl.Launcher;
import io.vncgate.testbeds.impl.ProcessReaper;
import io.vncgate.testbeds.impl.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * TigerVNC's own viewer ({@code xtigervncviewer}, Debian's {@code tigervnc-viewer}), unmodified,
 * as a native viewer on an X display (e.g. an {@link XvncServer} used as its screen). It logs
 * everything it negotiates (encodings, pixel formats, clipboard) to a file the test can wait on.
 */
public final class TigerVncViewer implements AutoCloseable {
  private final Process process;
  private final Path workDir;
  private final Path log;

  private TigerVncViewer(Process process, Path workDir, Path log) {
    this.process = process;
    this.workDir = workDir;
    this.log = log;
  }

  public static void require() {
    Tools.require("xtigervncviewer");
    Tools.require("vncpasswd");
  }

  /**
   * Starts the viewer on {@code screen}'s display, connecting to {@code host::port} with
   * {@code password} (a vncgate ticket on the TCP front), plus viewer options such as
   * {@code -FullColor=0}.
   */
  public static TigerVncViewer start(LocalVncServer screen, String host, int port, String password, String... options) {
    require();
    Path dir = Launcher.workDir("vncgate-tigervnc-viewer-");
    Path passwd = dir.resolve("passwd");
    Launcher.runToFile(List.of("vncpasswd", "-f"), password + "\n", passwd);
    Path log = dir.resolve("viewer.log");
    List<String> command = new ArrayList<>(List.of("xtigervncviewer", "-passwd", passwd.toString(), "-Log", "*:stderr:100"));
    command.addAll(List.of(options));
    command.add(host + "::" + port);
    return new TigerVncViewer(Launcher.start(command, log, screen.env()), dir, log);
  }

  /** Waits until the viewer's log has {@code text}; fails with the log's tail if it exits first or time runs out. */
  public void awaitLog(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!log().contains(text)) {
      if (!process.isAlive()) {
        throw new TestbedException("xtigervncviewer exited with " + process.exitValue() + " before logging \""
            + text + "\":\n" + Launcher.tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new TestbedException("xtigervncviewer did not log \"" + text + "\" within " + timeout + ":\n" + Launcher.tail(log));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted", e);
      }
    }
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    ProcessReaper.stop(process, 2_000);
    Launcher.deleteTree(workDir);
  }
}
