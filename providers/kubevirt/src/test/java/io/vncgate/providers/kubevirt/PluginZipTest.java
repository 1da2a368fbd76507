package io.vncgate.providers.kubevirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.Sharing;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.testbeds.kubevirt.KubeRbac;
import io.vncgate.testbeds.kubevirt.KubeVirtTestbed;
import io.vncgate.testbeds.kubevirt.KubeVmi;
import io.vncgate.testbeds.plugin.BuiltPluginZip;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plugin zip built by this module has PF4J's layout and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {

  @Test
  void zipHoldsDescriptorClassesAndOnlyBundledLibraries() {
    // the JDK HTTP client only: no second Vert.x (nor OkHttp, Jetty) beside the gateway's
    BuiltPluginZip zip = BuiltPluginZip.ofThisModule()
        .assertProviderLayout("kubevirt", KubeVirtTargetProvider.class, "lib/kubernetes-httpclient-vertx",
            "lib/kubernetes-httpclient-okhttp", "lib/okhttp-", "lib/jetty-")
        .assertBundles("kubernetes-httpclient-jdk-").assertBundles("kubernetes-client-");
    assertEquals("org.pf4j.Plugin", zip.descriptor().getProperty("plugin.class"));
  }

  @Test
  void pf4jLoadsTheZipAndTheProviderReadsItsConfig(@TempDir Path plugins) throws Exception {
    try (BuiltPluginZip.Loaded loaded = BuiltPluginZip.ofThisModule().load(plugins, "kubevirt")) {
      TargetProvider provider = loaded.provider();
      assertEquals("kubevirt", provider.name());
      ProviderConfigException e = assertThrows(ProviderConfigException.class,
          () -> provider.start(ProviderTestConfig.context("kubevirt", plugins, "kubeconfig: missing.kubeconfig")));
      assertEquals("providers.kubevirt.kubeconfig", e.key());
      assertTrue(e.getMessage().contains("cannot read the kubeconfig"), e.getMessage());
    }
  }

  /** fabric8, Jackson 3 and the JDK HTTP client work inside PF4J's plugin class loader, against the testbed. */
  @Test
  void theProviderFromTheZipListsVmisOfARealKubeApi(@TempDir Path plugins) throws Throwable {
    try (BuiltPluginZip.Loaded loaded = BuiltPluginZip.ofThisModule().load(plugins, "kubevirt");
        KubeVirtTestbed kube = KubeVirtTestbed.builder()
            .vmi(KubeVmi.inPhase("lab", "web", "Scheduling").withLabels(Map.of("vncgate", "true")))
            .serviceAccount("vncgate", "gateway", "tok-zip", KubeRbac.vncgate())
            .start()) {
      Files.writeString(plugins.resolve("kubeconfig"), kube.kubeconfigWithToken("tok-zip"));
      TargetProvider provider = loaded.provider();
      provider.start(ProviderTestConfig.context("kubevirt", plugins, "kubeconfig: kubeconfig\nlabel-selector: vncgate=true"));
      try {
        List<TargetInfo> targets = ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER));
        assertEquals(List.of("kubevirt/lab/web"), targets.stream().map(TargetInfo::id).toList());
        assertEquals("Scheduling", targets.get(0).labels().get("phase"));
        assertEquals(Sharing.FAN_OUT, provider.sharing("kubevirt/lab/web"));
      } finally {
        provider.stop();
      }
    }
  }
}
