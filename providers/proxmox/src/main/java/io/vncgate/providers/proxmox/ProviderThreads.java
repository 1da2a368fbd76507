package io.vncgate.providers.proxmox;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The provider's own small pool: java.net.http's callbacks and the secret-file reads run here,
 * never on the gateway's event loop.
 */
final class ProviderThreads {
  private ProviderThreads() {}

  static ExecutorService create(int threads) {
    ClassLoader plugin = ProviderThreads.class.getClassLoader();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "vncgate-proxmox-provider-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(plugin);
      return t;
    };
    return Executors.newFixedThreadPool(threads, factory);
  }
}
