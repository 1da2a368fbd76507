package io.vncgate.providers.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/** The plugin zip built by this module has PF4J's layout, bundles nothing, and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {
  private static final Path ZIP = Path.of(System.getProperty("vncgate.plugin.zip", "missing.zip"));

  @Test
  void zipHoldsDescriptorAndClassesOnly() throws Exception {
    assertTrue(Files.isRegularFile(ZIP), "plugin zip not built: " + ZIP);
    try (ZipFile zip = new ZipFile(ZIP.toFile())) {
      Properties descriptor = new Properties();
      try (InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
        descriptor.load(in);
      }
      assertEquals("desktop", descriptor.getProperty("plugin.id"));
      assertEquals(">=0.1.0", descriptor.getProperty("plugin.requires"));
      assertNotNull(zip.getEntry("classes/io/vncgate/providers/desktop/DesktopTargetProvider.class"));
      try (InputStream in = zip.getInputStream(zip.getEntry("classes/META-INF/extensions.idx"))) {
        assertTrue(new String(in.readAllBytes()).contains(DesktopTargetProvider.class.getName()));
      }
      List<String> libs = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("lib/") && !n.equals("lib/")).toList();
      assertEquals(List.of(), libs, "the provider needs only the JDK and the SPI");
    }
  }

  @Test
  void pf4jLoadsTheZipAndFindsTheProvider(@TempDir Path plugins) throws Throwable {
    Files.copy(ZIP, plugins.resolve(ZIP.getFileName()));
    PluginManager manager = new DefaultPluginManager(plugins);
    manager.setSystemVersion("0.1.0");
    manager.loadPlugins();
    manager.startPlugins();
    try {
      assertEquals(PluginState.STARTED, manager.getPlugin("desktop").getPluginState());
      List<TargetProvider> providers = manager.getExtensions(TargetProvider.class, "desktop");
      assertEquals(1, providers.size());
      TargetProvider provider = providers.get(0);
      assertNotEquals(getClass().getClassLoader(), provider.getClass().getClassLoader(),
          "the provider comes from the zip, not the test classpath");
      provider.start(TestConfig.context(plugins, "desktops: [{id: lab, name: Lab}]"));
      List<TargetInfo> targets = TestConfig.await(provider.list(TestConfig.CALLER));
      assertEquals(List.of("desktop/alice", "desktop/lab"), targets.stream().map(TargetInfo::id).toList());
      provider.stop();
    } finally {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }
}
