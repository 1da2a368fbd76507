package io.vncgate.providers.kubevirt;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The provider's own small pool: the blocking kube API calls and the token-file reads run here,
 * never on the gateway's event loop.
 */
final class ProviderThreads {
  private ProviderThreads() {}

  static ExecutorService create(int threads) {
    ClassLoader plugin = ProviderThreads.class.getClassLoader();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "vncgate-kubevirt-provider-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(plugin);
      return t;
    };
    return Executors.newFixedThreadPool(threads, factory);
  }
}
