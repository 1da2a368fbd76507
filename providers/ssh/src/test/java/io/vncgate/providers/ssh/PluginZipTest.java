package io.vncgate.providers.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The plugin zip built by this module has PF4J's layout and loads in a real PF4J plugin manager. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginZipTest {

  @Test
  void zipHoldsDescriptorClassesAndOnlyBundledLibraries() {
    BuiltPluginZip zip = BuiltPluginZip.ofThisModule()
        .assertProviderLayout("ssh", SshTargetProvider.class, "lib/apache-client-")
        .assertBundles("jackson-databind-");
    assertEquals(SshProviderPlugin.class.getName(), zip.descriptor().getProperty("plugin.class"));
    assertEquals("vncgate", zip.descriptor().getProperty("plugin.provider"));
    // the plain edition: no AWS SDK (Hetzner and static users do not carry it)
    assertEquals(List.of(), zip.libs().stream()
        .filter(n -> n.startsWith("lib/ec2-") || n.startsWith("lib/sdk-core-") || n.startsWith("lib/aws-core-")).toList());
  }

  @Test
  void awsEditionHoldsTheSameClassesAndTheAwsSdk() {
    BuiltPluginZip plain = BuiltPluginZip.ofThisModule();
    Path awsZip = plain.path().resolveSibling("aws-edition")
        .resolve(plain.path().getFileName().toString().replace(".zip", "-aws.zip"));
    BuiltPluginZip aws = BuiltPluginZip.of(awsZip)
        .assertProviderLayout("ssh", SshTargetProvider.class, "lib/apache-client-")
        .assertBundles("jackson-databind-").assertBundles("ec2-").assertBundles("url-connection-client-");
    assertEquals(plain.descriptor(), aws.descriptor());
    assertEquals(plain.entries().stream().filter(n -> n.startsWith("classes/")).sorted().toList(),
        aws.entries().stream().filter(n -> n.startsWith("classes/")).sorted().toList());
    assertTrue(aws.libs().containsAll(plain.libs()), "the AWS edition bundles every library of the plain one");
  }

  @Test
  void pf4jLoadsTheZipAndFindsTheProvider(@TempDir Path plugins) throws Throwable {
    try (BuiltPluginZip.Loaded loaded = BuiltPluginZip.ofThisModule().load(plugins, "ssh")) {
      TargetProvider provider = loaded.provider();
      assertEquals("ssh", provider.name());
      provider.start(ProviderTestConfig.context("ssh", plugins,
          "known-hosts: k\nhosts: [{id: b, host: h, user: u, identity-file: k}]"));
      List<TargetInfo> targets = ProviderTestConfig.await(provider.list(ProviderTestConfig.CALLER));
      assertEquals("ssh/b", targets.get(0).id());
      provider.stop();
    }
  }
}
