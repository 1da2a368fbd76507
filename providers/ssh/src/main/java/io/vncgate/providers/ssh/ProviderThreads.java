package io.vncgate.providers.ssh;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The provider's own small thread pool for what may block (secret files, the AWS SDK's sync
 * client). Its threads see the plugin's class loader as context loader, which the AWS SDK uses to
 * find its service resources inside a PF4J plugin.
 */
final class ProviderThreads {
  private ProviderThreads() {}

  static ExecutorService create(int threads) {
    ClassLoader plugin = ProviderThreads.class.getClassLoader();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "vncgate-ssh-provider-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(plugin);
      return t;
    };
    return Executors.newFixedThreadPool(threads, factory);
  }

  /** Runs {@code action} with the plugin's class loader as the thread's context loader. */
  static <T> T withPluginClassLoader(Supplier<T> action) {
    Thread current = Thread.currentThread();
    ClassLoader previous = current.getContextClassLoader();
    current.setContextClassLoader(ProviderThreads.class.getClassLoader());
    try {
      return action.get();
    } finally {
      current.setContextClassLoader(previous);
    }
  }
}
