package io.vncgate.providers.proxmox;

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
    BuiltPluginZip zip = BuiltPluginZip.ofThisModule().assertProviderLayout("proxmox", ProxmoxTargetProvider.class)
        .assertBundles("jackson-databind-");
    // no Plugin subclass: PF4J's own
    assertEquals("org.pf4j.Plugin", zip.descriptor().getProperty("plugin.class"));
  }

  @Test
  void pf4jLoadsTheZipAndTheProviderReadsItsConfig(@TempDir Path plugins) throws Exception {
    try (BuiltPluginZip.Loaded loaded = BuiltPluginZip.ofThisModule().load(plugins, "proxmox")) {
      TargetProvider provider = loaded.provider();
      assertEquals("proxmox", provider.name());
      ProviderConfigException e = assertThrows(ProviderConfigException.class, () -> provider.start(
          ProviderTestConfig.context("proxmox", plugins, "clusters: [{name: lab, url: 'https://h:8006'}]")));
      assertEquals("providers.proxmox.clusters[0].token-id", e.key());
    }
  }
}
