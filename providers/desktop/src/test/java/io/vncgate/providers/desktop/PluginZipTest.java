package io.vncgate.providers.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.testbeds.plugin.BuiltPluginZip;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plugin zip built by this module has PF4J's layout, bundles nothing, and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {

  @Test
  void zipHoldsDescriptorAndClassesOnly() {
    BuiltPluginZip zip = BuiltPluginZip.ofThisModule().assertProviderLayout("desktop", DesktopTargetProvider.class);
    assertEquals(List.of(), zip.libs(), "the provider needs only the JDK and the SPI");
  }

  @Test
  void pf4jLoadsTheZipAndFindsTheProvider(@TempDir Path plugins) throws Throwable {
    try (BuiltPluginZip.Loaded loaded = BuiltPluginZip.ofThisModule().load(plugins, "desktop")) {
      TargetProvider provider = loaded.provider();
      provider.start(ProviderTestConfig.context("desktop", plugins, "desktops: [{id: lab, name: Lab}]"));
      List<TargetInfo> targets = ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER));
      assertEquals(List.of("desktop/alice", "desktop/lab"), targets.stream().map(TargetInfo::id).toList());
      provider.stop();
    }
  }
}
