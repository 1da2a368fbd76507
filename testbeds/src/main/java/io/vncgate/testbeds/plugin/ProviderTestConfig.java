package io.vncgate.testbeds.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vncgate.spi.Caller;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.TargetProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Starts a provider from a YAML snippet, the way the gateway hands over {@code providers.<name>}:
 * for the provider plugins' own tests. (Needs {@code provider-spi} and
 * {@code jackson-dataformat-yaml} on the test classpath; testbeds has them as optional.)
 */
public final class ProviderTestConfig {
  /** A caller with the {@code control} role. */
  public static final Caller CALLER = new Caller("alice", "control");

  private ProviderTestConfig() {}

  /** The context the gateway gives provider {@code name}: its config section and the config's folder. */
  public static ProviderContext context(String name, Path configDir, String yaml) {
    ProviderConfig config = new ProviderConfig("providers." + name, parse(yaml));
    return new ProviderContext() {
      @Override
      public ProviderConfig config() {
        return config;
      }

      @Override
      public Path configDirectory() {
        return configDir;
      }

      @Override
      public String gatewayVersion() {
        return "0.1.0";
      }
    };
  }

  /** {@code provider}, started with {@code yaml} as its section ({@code providers.<its name>}). */
  public static <P extends TargetProvider> P start(P provider, Path configDir, String yaml) throws Exception {
    provider.start(context(provider.name(), configDir, yaml));
    return provider;
  }

  /** A YAML mapping as the gateway's config reader gives it to a provider; empty for an empty text. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parse(String yaml) {
    try {
      Map<String, Object> map = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
      return map == null ? Map.of() : map;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stage's value within 30 s, or its failure as thrown (not wrapped). */
  public static <T> T await(CompletionStage<T> stage) throws Throwable {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }
}
