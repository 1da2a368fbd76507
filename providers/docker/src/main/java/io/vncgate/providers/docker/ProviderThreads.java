package io.vncgate.providers.docker;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The provider's own small pool: docker-java's calls block (one HTTP exchange over the Engine's
 * socket each), so they run here, never on the gateway's event loop.
 */
final class ProviderThreads {
  private ProviderThreads() {}

  static ExecutorService create(int threads) {
    ClassLoader plugin = ProviderThreads.class.getClassLoader();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "vncgate-docker-provider-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(plugin);
      return t;
    };
    return Executors.newFixedThreadPool(threads, factory);
  }
}
