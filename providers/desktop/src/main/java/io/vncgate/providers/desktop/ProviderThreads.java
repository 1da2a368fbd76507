package io.vncgate.providers.desktop;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The provider's own threads: launching and stopping processes (which waits) never runs on the
 * gateway's event loops or its provider workers; one scheduler thread keeps the idle timers.
 */
final class ProviderThreads {
  private ProviderThreads() {}

  /** Starts and stops desktops: unbounded but idle threads end (max-desktops bounds the work). */
  static ExecutorService launchers() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(r -> daemon(r, "vncgate-desktop-" + n.incrementAndGet()));
  }

  static ScheduledExecutorService timers() {
    return Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vncgate-desktop-timers"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.setContextClassLoader(ProviderThreads.class.getClassLoader());
    return t;
  }
}
