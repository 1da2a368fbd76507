package io.vncgate.gateway.provider.plugin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vncgate.gateway.Version;
import io.vncgate.gateway.config.ConfigException;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.provider.ProviderRegistry;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders.BuiltIn;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders.Choice;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders.FromPlugin;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders.Missing;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders.PluginNotStarted;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.TargetProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the providers named under {@code providers:} at gateway start, off the event loop:
 * finds and loads the plugins ({@link PluginCatalog}), then starts each configured provider with
 * its config subtree and registers it.
 *
 * <ul>
 *   <li>A key that no built-in provider and no plugin serves stops start-up, naming the key and
 *       listing what was found.</li>
 *   <li>A provider whose {@code start} throws {@link ProviderConfigException} stops start-up: the
 *       message names the wrong key.</li>
 *   <li>A provider whose plugin did not load or start, whose {@code start} fails otherwise or takes
 *       longer than {@code server.provider-timeout}: logged at error with the reason, its targets are
 *       absent, {@link ProviderRegistry#unavailable()} says why and {@link ProviderRegistry#ready()} is
 *       false. The gateway still starts.</li>
 *   <li>A broken plugin that no config key names: logged and skipped.</li>
 * </ul>
 */
public final class ProviderLoader {
  private static final Logger log = LoggerFactory.getLogger(ProviderLoader.class);

  private ProviderLoader() {}

  /** Loads plugins and starts the configured providers into {@code registry}. */
  public static Future<Void> start(Vertx vertx, GatewayConfig config, ProviderRegistry registry) {
    return vertx.executeBlocking(() -> {
      startAll(config, registry);
      return null;
    }, false);
  }

  static void startAll(GatewayConfig config, ProviderRegistry registry) {
    PluginSources sources = PluginSources.locate(config);
    PluginCatalog catalog = PluginCatalog.load(sources, Version.get(), ConfiguredProviders.builtInNames());
    registry.afterStop(catalog::close);   // plugins unload after their providers stopped
    logPlugins(catalog);
    List<Choice> choices = ConfiguredProviders.match(config.providers(), catalog);
    for (Choice c : choices) {
      if (c instanceof Missing missing) throw new ConfigException(missing.message());
    }
    ExecutorService starter = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "vncgate-provider-start");
      t.setDaemon(true);
      return t;
    });
    try {
      for (Choice c : choices) {
        String key = config.providers().key(c.name());
        ProviderContext context = new GatewayProviderContext(config.providers().section(c.name()),
            config.file().getParent(), Version.get());
        if (c instanceof BuiltIn builtIn) {
          startOne(builtIn.create(), "built in", context, config.server().providerTimeout(), starter, registry);
        } else if (c instanceof FromPlugin fromPlugin) {
          PluginReport p = fromPlugin.found().plugin();
          startOne(fromPlugin.found().provider(), "plugin " + p.id() + " " + p.version() + " from " + p.source(),
              context, config.server().providerTimeout(), starter, registry);
        } else if (c instanceof PluginNotStarted notStarted) {
          PluginReport p = notStarted.plugin();
          registry.markUnavailable(c.name(), "plugin " + p.label() + " is " + p.outcome() + ": " + p.reason());
          log.error("{}: plugin {} is {}: {}; the targets of {} are absent", key, p.label(), p.outcome(), p.reason(), key);
        }
      }
    } finally {
      starter.shutdown();
    }
    registry.startupDone();
    if (!registry.unavailable().isEmpty()) {
      log.error("providers not available: {}", registry.unavailable().keySet());
    }
  }

  private static void startOne(TargetProvider provider, String origin, ProviderContext context, Duration timeout,
      ExecutorService starter, ProviderRegistry registry) {
    String key = context.config().path();
    String name = provider.name();
    CompletableFuture<Void> start = CompletableFuture.runAsync(() -> {
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(provider.getClass().getClassLoader());
      try {
        provider.start(context);
      } catch (Exception e) {
        throw new CompletionException(e);
      } finally {
        thread.setContextClassLoader(previous);
      }
    }, starter);
    try {
      start.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ProviderConfigException) throw new ConfigException(cause.getMessage());
      String why = origin + " failed to start: " + PluginCatalog.words(cause);
      registry.markUnavailable(name, why);
      if (cause instanceof ProviderException) {
        log.error("{}: {}; its targets are absent", key, why);
      } else {
        log.error("{}: {}; its targets are absent", key, why, cause);
      }
      return;
    } catch (TimeoutException e) {
      String why = origin + " did not start within " + timeout.toSeconds() + " s (server.provider-timeout)";
      registry.markUnavailable(name, why);
      log.error("{}: {}; its targets are absent", key, why);
      start.thenRun(() -> stopQuietly(provider));   // if it ever finishes, release what it holds
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting provider " + name, e);
    }
    registry.add(provider);
    log.info("provider={} started ({})", name, origin);
  }

  private static void stopQuietly(TargetProvider provider) {
    try {
      provider.stop();
    } catch (RuntimeException | LinkageError e) {
      log.debug("provider={} failed to stop after a late start: {}", provider.name(), e.toString());
    }
  }

  private static void logPlugins(PluginCatalog catalog) {
    if (catalog.plugins().isEmpty()) {
      log.info("plugins: none found (looked in {})", String.join(", ", catalog.sources().searched()));
      return;
    }
    for (PluginReport p : catalog.plugins()) {
      if (p.started()) {
        log.info("plugin {} {} started from {}: provides {}", p.id(), p.version(), p.source(), p.providers());
        if (p.reason() != null) log.warn("plugin {}: {}", p.id(), p.reason());
      } else if (p.outcome() == PluginReport.Outcome.SKIPPED) {
        log.warn("plugin {} skipped: {}", p.label(), p.reason());
      } else {
        log.error("plugin {} skipped, {}: {}", p.label(), p.outcome(), p.reason());
      }
    }
  }
}
