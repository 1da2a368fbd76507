package io.vncgate.testbeds.impl;

import io.vncgate.testbeds.RfbProtocolException;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.TestbedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Steps shared by the X server launchers: work directory, processes, logs, readiness. */
public final class Launcher {

  /** Log lines that mean "someone else has this display or port: pick others and retry". */
  private static final List<String> CLASH_MARKERS = List.of(
      "Server is already active for display",
      "Address already in use",
      "could not obtain listening port",
      "Cannot establish any listening sockets");

  private Launcher() {
  }

  public static Path workDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp directory", e);
    }
  }

  /** Writes {@code content} as is to a file only the owner can read. */
  public static Path writePrivate(Path file, byte[] content) {
    try {
      Files.write(file, content);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Starts a process with stdout and stderr going to {@code log}, tracked by the reaper. */
  public static Process start(List<String> command, Path log, Map<String, String> env) {
    return start(command, log, log, env);
  }

  /** Starts a process with separate stdout and stderr files, tracked by the reaper. */
  public static Process start(List<String> command, Path stdout, Path stderr,
                              Map<String, String> env) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(stdout.toFile())
          .redirectError(stdout.equals(stderr)
              ? ProcessBuilder.Redirect.appendTo(stdout.toFile()) : ProcessBuilder.Redirect.to(stderr.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      builder.environment().putAll(env);
      return ProcessReaper.track(builder.start());
    } catch (IOException e) {
      throw new TestbedException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  /** How waiting for a log line ended. */
  public enum Outcome { READY, CLASHED }

  /**
   * Waits until {@code log} contains {@code marker}. A process that dies first either clashed
   * (display or port taken: {@link Outcome#CLASHED}) or failed (exception with the log tail).
   */
  public static Outcome awaitLog(Process process, Path log, String marker, Duration timeout) {
    return awaitLog(process, log, marker, log, timeout);
  }

  /** Like {@link #awaitLog(Process, Path, String, Duration)}, the marker in one file, errors in another. */
  public static Outcome awaitLog(Process process, Path markerFile, String marker, Path log,
                                 Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String name = process.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("process");
    while (true) {
      if (read(markerFile).contains(marker)) {
        return Outcome.READY;
      }
      if (!process.isAlive()) {
        String text = read(log);
        if (read(markerFile).contains(marker)) {
          throw new TestbedException(name + " exited with " + process.exitValue()
              + " right after starting:\n" + tail(log));
        }
        if (CLASH_MARKERS.stream().anyMatch(text::contains)) {
          return Outcome.CLASHED;
        }
        throw new TestbedException(name + " exited with " + process.exitValue()
            + " before it was ready:\n" + tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new TestbedException(name + " not ready within " + timeout + ":\n" + tail(log));
      }
      sleep(50);
    }
  }

  /**
   * Waits until {@code port} completes a real RFB handshake (None, or VNC auth with the password)
   * and reports the expected desktop size. A completed handshake also clears TigerVNC's blacklist
   * mark that a bare probe connection would leave.
   */
  public static void awaitRfb(int port, String password, int width, int height, Duration timeout,
                              Process process, Path log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline && process.isAlive()) {
      try (RfbTestClient client = RfbTestClient.connect("127.0.0.1", port)) {
        ServerInitInfo init = password == null
            ? client.handshakeNone() : client.handshakeVncAuth(password);
        if (init.width() != width || init.height() != height) {
          throw new TestbedException("server on port " + port + " reports " + init.width() + "x"
              + init.height() + ", expected " + width + "x" + height);
        }
        return;
      } catch (RfbRefused | RfbProtocolException e) {
        throw new TestbedException("VNC server on port " + port + " failed the readiness handshake: "
            + e.getMessage() + "\n" + tail(log), e);
      } catch (IOException e) {
        last = e;
        sleep(100);
      }
    }
    String why = process.isAlive() ? "no RFB handshake within " + timeout : "process exited";
    throw new TestbedException("VNC server on port " + port + ": " + why
        + (last == null ? "" : " (last error: " + last + ")") + ":\n" + tail(log));
  }

  /** The last 30 lines of a log file. */
  public static String tail(Path log) {
    List<String> lines = read(log).lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Runs a command whose stdout is binary, writing it to {@code output}; fails on non-zero exit. */
  public static void runToFile(List<String> command, String stdin, Path output) {
    Tools.require(command.get(0));
    try {
      Process process = new ProcessBuilder(command)
          .redirectOutput(output.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      try (var in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new TestbedException(command.get(0) + " did not finish within 10 s");
      }
      if (process.exitValue() != 0) {
        throw new TestbedException(command.get(0) + " exited with " + process.exitValue());
      }
    } catch (IOException e) {
      throw new TestbedException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while running " + command.get(0), e);
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while waiting for a server", e);
    }
  }
}
