package io.vncgate.providers.desktop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vncgate.spi.Caller;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Starts the provider from a YAML snippet, the way the gateway hands over {@code providers.desktop}. */
final class TestConfig {
  static final Caller CALLER = new Caller("alice", "control");

  private TestConfig() {}

  static ProviderContext context(Path configDir, String yaml) {
    ProviderConfig config = new ProviderConfig("providers.desktop", parse(yaml));
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

  static DesktopTargetProvider start(Path configDir, String yaml) throws Exception {
    DesktopTargetProvider provider = new DesktopTargetProvider();
    provider.start(context(configDir, yaml));
    return provider;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(String yaml) {
    try {
      Map<String, Object> map = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
      return map == null ? Map.of() : map;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stage's value, or its failure as thrown (not wrapped). */
  static <T> T await(CompletionStage<T> stage) throws Throwable {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }
}
