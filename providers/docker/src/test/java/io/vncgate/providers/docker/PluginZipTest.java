package io.vncgate.providers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.TargetProvider;
import io.vncgate.testbeds.plugin.BuiltPluginZip;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plugin zip built by this module has PF4J's layout and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {

  @Test
  void zipHoldsDescriptorClassesAndOnlyBundledLibraries() {
    BuiltPluginZip zip = BuiltPluginZip.ofThisModule()
        .assertProviderLayout("docker", DockerTargetProvider.class, "lib/testcontainers-")
        .assertBundles("docker-java-core-").assertBundles("docker-java-transport-httpclient5-")
        .assertBundles("httpclient5-").assertBundles("jna-");
    assertEquals("org.pf4j.Plugin", zip.descriptor().getProperty("plugin.class"));
  }

  @Test
  void pf4jLoadsTheZipAndTheProviderReadsItsConfig(@TempDir Path plugins) throws Exception {
    try (BuiltPluginZip.Loaded loaded = BuiltPluginZip.ofThisModule().load(plugins, "docker")) {
      TargetProvider provider = loaded.provider();
      assertEquals("docker", provider.name());
      ProviderConfigException e = assertThrows(ProviderConfigException.class,
          () -> provider.start(ProviderTestConfig.context("docker", plugins, "host: 'tcp://127.0.0.1:2375'")));
      assertEquals("providers.docker.host", e.key());
    }
  }
}
