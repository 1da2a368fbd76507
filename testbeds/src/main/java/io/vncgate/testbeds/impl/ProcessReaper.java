package io.vncgate.testbeds.impl;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the processes the testbeds launch: politely on close, forcibly at JVM exit for any a test
 * forgot, so no X server outlives the build.
 */
public final class ProcessReaper {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessReaper.class);
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(ProcessReaper::stopAllAtExit, "testbeds-process-reaper");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private ProcessReaper() {
  }

  /** SIGTERM to all (X servers then remove their lock files), up to 1 s, then SIGKILL. */
  private static void stopAllAtExit() {
    RUNNING.forEach(Process::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    for (Process p : RUNNING) {
      try {
        p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        break;
      }
    }
    RUNNING.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    });
  }

  /** Remembers a process so it is killed at JVM exit if nobody stops it before. */
  public static Process track(Process process) {
    RUNNING.add(process);
    return process;
  }

  /** SIGTERM, up to {@code graceMillis} to exit, then SIGKILL; children first. */
  public static void stop(Process process, long graceMillis) {
    String name = process.info().command().orElse("pid " + process.pid());
    try {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        LOG.debug("{} ignored SIGTERM for {} ms; killing it", name, graceMillis);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(graceMillis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      RUNNING.remove(process);
    }
  }
}
