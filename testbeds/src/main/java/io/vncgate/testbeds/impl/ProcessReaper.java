package io.vncgate.testbeds.impl;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Stops the processes the testbeds launch: politely on close, forcibly at JVM exit for any a test
 * forgot, so no X server outlives the build.
 */
public final class ProcessReaper {

  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(() -> RUNNING.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }), "testbeds-process-reaper");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private ProcessReaper() {
  }

  /** Remembers a process so it is killed at JVM exit if nobody stops it before. */
  public static Process track(Process process) {
    RUNNING.add(process);
    return process;
  }

  /** SIGTERM, up to {@code graceMillis} to exit, then SIGKILL; children first. */
  public static void stop(Process process, long graceMillis) {
    try {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
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
