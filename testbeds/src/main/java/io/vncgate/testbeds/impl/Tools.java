package io.vncgate.testbeds.impl;

import io.vncgate.testbeds.TestbedException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The external programs the testbeds run, the Debian package of each, and a way to run one with
 * a timeout. A missing program is a failure that names its package, never a skipped test.
 */
public final class Tools {

  private static final Map<String, String> PACKAGES = Map.ofEntries(
      Map.entry("Xvnc", "tigervnc-standalone-server"),
      Map.entry("vncpasswd", "tigervnc-tools"),
      Map.entry("xtigervncviewer", "tigervnc-viewer"),
      Map.entry("x11vnc", "x11vnc"),
      Map.entry("Xvfb", "xvfb"),
      Map.entry("xclip", "xclip"),
      Map.entry("xdotool", "xdotool"),
      Map.entry("xsetroot", "x11-xserver-utils"),
      Map.entry("qemu-system-x86_64", "qemu-system-x86"),
      Map.entry("openssl", "openssl"),
      Map.entry("docker", "docker.io"));

  private Tools() {
  }

  /** The program's path; fails with "X not found: install P (see .ci/install-deps)". */
  public static Path require(String program) {
    return find(program).orElseThrow(() -> new TestbedException(program + " not found: install "
        + PACKAGES.getOrDefault(program, program) + " (see .ci/install-deps)"));
  }

  static Optional<Path> find(String program) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Exit code and output of a finished command. */
  public record Result(int exitCode, String stdout, String stderr) {
  }

  /**
   * Runs a command to completion with extra environment, optional stdin text and a timeout;
   * a command still running at the timeout is killed and reported.
   */
  public static Result run(Map<String, String> env, String stdin, Duration timeout, List<String> command) {
    require(command.get(0));
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile("vncgate-tool-", ".out");
      err = Files.createTempFile("vncgate-tool-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().putAll(env);
      process = builder.start();
      try (var input = process.getOutputStream()) {
        if (stdin != null) {
          input.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new TestbedException(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new TestbedException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while running " + command.get(0), e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** Like {@link #run} but fails unless the exit code is 0; returns stdout. */
  public static String check(Map<String, String> env, String stdin, Duration timeout, List<String> command) {
    Result result = run(env, stdin, timeout, command);
    if (result.exitCode() != 0) {
      throw new TestbedException(String.join(" ", command) + " exited with " + result.exitCode()
          + ": " + result.stderr().strip());
    }
    return result.stdout();
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file is harmless
      }
    }
  }
}
