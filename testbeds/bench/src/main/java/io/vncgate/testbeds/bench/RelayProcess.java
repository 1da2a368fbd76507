package io.vncgate.testbeds.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/** A relay running as a process of its own (so its CPU and memory can be read from /proc). */
abstract class RelayProcess implements AutoCloseable {
  protected final Process process;
  protected final Path log;

  RelayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  long pid() {
    return process.pid();
  }

  /** {user, system} CPU seconds used so far by the process and its live children. */
  double[] cpuSeconds() {
    return Proc.treeCpuSplit(pid());
  }

  /** {resident, proportional} bytes of the process tree. */
  long[] memory() {
    return Proc.treeRssPss(pid());
  }

  /** Heap in use after a full collection, for JVM relays. */
  OptionalLong heapAfterGc() {
    return OptionalLong.empty();
  }

  /** Writes a class histogram of the live heap (for --heap-histograms); nothing for a relay that is not a JVM. */
  void heapHistogram(Path file) throws IOException {
    // no heap to show
  }

  /** Lines of the relay's log that report an error. */
  abstract long errorLines();

  Path log() {
    return log;
  }

  protected long countLines(String needle) {
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(needle)).count();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL) and any children it left. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(c -> {
      if (c.isAlive()) c.destroyForcibly();
    });
  }

  /** Waits until something accepts TCP connections on the port, or the process died, or time is up. */
  protected static void awaitPort(Process p, int port, Duration limit, Path log) throws IOException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        throw new IOException("the process exited with status " + p.exitValue() + "; see " + log);
      }
      try (var s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException("nothing listens on port " + port + " after " + limit.toSeconds() + " s; see " + log);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static int freePort() {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
