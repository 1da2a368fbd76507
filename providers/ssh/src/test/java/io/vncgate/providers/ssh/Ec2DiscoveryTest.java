package io.vncgate.providers.ssh;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.cloud.Ec2Testbed;
import io.vncgate.testbeds.cloud.Ec2Testbed.Instance;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** EC2 discovery through the real AWS SDK client pointed at a fake Query API endpoint. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Ec2DiscoveryTest {
  private static final String KEY_ID = "AKIAVNCGATETEST00001";
  private static final String SECRET = "test-secret-access-key-do-not-print";
  private static final List<Instance> INSTANCES = List.of(
      new Instance("i-0001", "running", "10.1.0.1", "198.51.100.1", Map.of("vncgate", "true", "Name", "alpha")),
      new Instance("i-0002", "running", "10.1.0.2", "198.51.100.2", Map.of("vncgate", "true")),
      new Instance("i-0003", "stopped", "10.1.0.3", null, Map.of("vncgate", "true", "Name", "sleeping")),
      new Instance("i-0004", "running", "10.1.0.4", "198.51.100.4", Map.of("vncgate", "false")),
      new Instance("i-0005", "running", "10.1.0.5", "198.51.100.5", Map.of("vncgate", "true", "Name", "gamma")));

  @TempDir
  Path dir;
  Ec2Testbed ec2;
  SshTargetProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    ec2 = Ec2Testbed.start(KEY_ID, INSTANCES, 2);
    Files.writeString(dir.resolve("aws.id"), KEY_ID + "\n");
    Files.writeString(dir.resolve("aws.secret"), SECRET + "\n");
  }

  @AfterEach
  void tearDown() {
    if (provider != null) provider.stop();
    ec2.close();
  }

  private SshTargetProvider start(String extra) throws Exception {
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        aws: {region: eu-central-1, tag: "vncgate=true", user: ec2-user, identity-file: id_ed25519,
              endpoint: "%s", access-key-id-file: aws.id, secret-access-key-file: aws.secret %s}
        """.formatted(ec2.endpoint(), extra));
    return provider;
  }

  @Test
  void listsRunningTaggedInstancesAcrossPagesThroughTheSdk() throws Throwable {
    List<TargetInfo> targets = await(start("").list(CALLER));
    assertEquals(List.of("ssh/aws/i-0001", "ssh/aws/i-0002", "ssh/aws/i-0005"),
        targets.stream().map(TargetInfo::id).toList());
    assertEquals(List.of("alpha", "i-0002", "gamma"), targets.stream().map(TargetInfo::name).toList());

    List<Map<String, String>> requests = ec2.requests();
    assertEquals(2, requests.size(), "two pages of two");
    Map<String, String> first = requests.get(0);
    assertEquals("DescribeInstances", first.get("Action"));
    assertEquals("tag:vncgate", first.get("Filter.1.Name"));
    assertEquals("true", first.get("Filter.1.Value.1"));
    assertEquals("instance-state-name", first.get("Filter.2.Name"));
    assertEquals("running", first.get("Filter.2.Value.1"));
    assertNull(first.get("NextToken"));
    assertTrue(requests.get(1).containsKey("NextToken"), requests.get(1).toString());
  }

  @Test
  void resolvesToThePublicOrThePrivateAddress() throws Throwable {
    Route.Ssh pub = (Route.Ssh) await(start("").resolve("ssh/aws/i-0005", CALLER)).route();
    assertEquals("198.51.100.5", pub.hops().get(0).host());
    assertEquals("ec2-user", pub.hops().get(0).user());
    provider.stop();
    Route.Ssh priv = (Route.Ssh) await(start(", address: private").resolve("ssh/aws/i-0005", CALLER)).route();
    assertEquals("10.1.0.5", priv.hops().get(0).host());
  }

  @Test
  void passwordRemoteFileInTheAwsSectionNamesTheFileOnEachInstance() throws Throwable {
    TargetRoute route = await(start(", vnc: {password-remote-file: /home/ec2-user/.vnc/plain}")
        .resolve("ssh/aws/i-0001", CALLER));
    assertEquals(new Credentials.VncPasswordOnHost("/home/ec2-user/.vnc/plain"), route.credentials());
  }

  @Test
  void tagKeyAloneMatchesAnyValue() throws Throwable {
    provider = ProviderTestConfig.start(new SshTargetProvider(), dir, """
        known-hosts: known_hosts
        aws: {region: eu-central-1, tag: vncgate, user: ec2-user, identity-file: id_ed25519,
              endpoint: "%s", access-key-id-file: aws.id, secret-access-key-file: aws.secret}
        """.formatted(ec2.endpoint()));
    assertEquals(4, await(provider.list(CALLER)).size());
    assertEquals("tag-key", ec2.requests().get(0).get("Filter.1.Name"));
  }

  @Test
  void rejectedCredentialsAreUnavailableWithoutTheSecret() throws Exception {
    Files.writeString(dir.resolve("aws.id"), "AKIAUNKNOWNKEY000000\n");
    ProviderException e = assertThrows(ProviderException.class, () -> await(start("").list(CALLER)));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("AWS EC2 DescribeInstances in eu-central-1 answered 401"), e.getMessage());
    assertTrue(e.getMessage().contains("credentials"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET));
  }
}
