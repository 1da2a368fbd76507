package io.vncgate.providers.kubevirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.Sharing;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.testbeds.kubevirt.KubeRbac;
import io.vncgate.testbeds.kubevirt.KubeVirtTestbed;
import io.vncgate.testbeds.kubevirt.KubeVmi;
import java.io.IOException;
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

/** The plugin zip built by this module has PF4J's layout and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {
  private static final Path ZIP = Path.of(System.getProperty("vncgate.plugin.zip", "missing.zip"));

  @Test
  void zipHoldsDescriptorClassesAndOnlyBundledLibraries() throws IOException {
    assertTrue(Files.isRegularFile(ZIP), "plugin zip not built: " + ZIP);
    try (ZipFile zip = new ZipFile(ZIP.toFile())) {
      Properties descriptor = new Properties();
      try (InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
        descriptor.load(in);
      }
      assertEquals("kubevirt", descriptor.getProperty("plugin.id"));
      assertEquals("org.pf4j.Plugin", descriptor.getProperty("plugin.class"));
      assertEquals(">=0.1.0", descriptor.getProperty("plugin.requires"));
      assertTrue(descriptor.getProperty("plugin.version").matches("\\d+\\.\\d+\\.\\d+.*"),
          descriptor.getProperty("plugin.version"));

      assertNotNull(zip.getEntry("classes/io/vncgate/providers/kubevirt/KubeVirtTargetProvider.class"));
      try (InputStream in = zip.getInputStream(zip.getEntry("classes/META-INF/extensions.idx"))) {
        assertTrue(new String(in.readAllBytes()).contains(KubeVirtTargetProvider.class.getName()));
      }
      List<String> libs = zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("lib/")).toList();
      assertTrue(libs.stream().anyMatch(n -> n.startsWith("lib/kubernetes-httpclient-jdk-")), libs.toString());
      assertTrue(libs.stream().anyMatch(n -> n.startsWith("lib/kubernetes-client-")), libs.toString());
      // the JDK HTTP client only: no second Vert.x (nor OkHttp, Jetty) beside the gateway's
      for (String provided : List.of("lib/pf4j-", "lib/vncgate-", "lib/slf4j-", "lib/logback-", "lib/junit-",
          "lib/netty-", "lib/vertx-", "lib/kubernetes-httpclient-vertx", "lib/kubernetes-httpclient-okhttp",
          "lib/okhttp-", "lib/jetty-")) {
        assertTrue(libs.stream().noneMatch(n -> n.startsWith(provided)), provided + " must not be bundled: " + libs);
      }
    }
  }

  @Test
  void pf4jLoadsTheZipAndTheProviderReadsItsConfig(@TempDir Path plugins) throws Throwable {
    Files.copy(ZIP, plugins.resolve(ZIP.getFileName()));
    PluginManager manager = new DefaultPluginManager(plugins);
    manager.setSystemVersion("0.1.0");
    manager.loadPlugins();
    manager.startPlugins();
    try {
      assertEquals(PluginState.STARTED, manager.getPlugin("kubevirt").getPluginState());
      List<TargetProvider> providers = manager.getExtensions(TargetProvider.class, "kubevirt");
      assertEquals(1, providers.size());
      TargetProvider provider = providers.get(0);
      assertEquals("kubevirt", provider.name());
      assertNotEquals(getClass().getClassLoader(), provider.getClass().getClassLoader(),
          "the provider comes from the zip, not the test classpath");
      ProviderConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ProviderConfigException.class,
          () -> provider.start(TestConfig.context(plugins, "kubeconfig: missing.kubeconfig")));
      assertEquals("providers.kubevirt.kubeconfig", e.key());
      assertTrue(e.getMessage().contains("cannot read the kubeconfig"), e.getMessage());
    } finally {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }

  /** fabric8, Jackson 3 and the JDK HTTP client work inside PF4J's plugin class loader, against the testbed. */
  @Test
  void theProviderFromTheZipListsVmisOfARealKubeApi(@TempDir Path plugins) throws Throwable {
    Files.copy(ZIP, plugins.resolve(ZIP.getFileName()));
    PluginManager manager = new DefaultPluginManager(plugins);
    manager.setSystemVersion("0.1.0");
    manager.loadPlugins();
    manager.startPlugins();
    try (KubeVirtTestbed kube = KubeVirtTestbed.builder()
        .vmi(KubeVmi.inPhase("lab", "web", "Scheduling").withLabels(java.util.Map.of("vncgate", "true")))
        .serviceAccount("vncgate", "gateway", "tok-zip", KubeRbac.vncgate())
        .start()) {
      Files.writeString(plugins.resolve("kubeconfig"), kube.kubeconfigWithToken("tok-zip"));
      TargetProvider provider = manager.getExtensions(TargetProvider.class, "kubevirt").get(0);
      provider.start(TestConfig.context(plugins, "kubeconfig: kubeconfig\nlabel-selector: vncgate=true"));
      try {
        List<TargetInfo> targets = TestConfig.await(provider.list(TestConfig.CALLER));
        assertEquals(List.of("kubevirt/lab/web"), targets.stream().map(TargetInfo::id).toList());
        assertEquals("Scheduling", targets.get(0).labels().get("phase"));
        assertEquals(Sharing.FAN_OUT, provider.sharing("kubevirt/lab/web"));
      } finally {
        provider.stop();
      }
    } finally {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }
}
