package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.cloud.Ec2Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh plugin's two zips in the real gateway (docs/providers-ssh.md): the plain one, without
 * the AWS SDK, answers an {@code aws:} section with a start-up error naming the AWS edition; the
 * AWS edition lists EC2 instances from a fake Query API endpoint through the real SDK.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SshPluginEditionsTest {
  private static final String KEY_ID = "AKIAVNCGATETEST00002";

  @TempDir
  Path dir;

  private String config(Ec2Testbed ec2) throws Exception {
    Files.writeString(dir.resolve("known_hosts"), "");
    Files.writeString(dir.resolve("aws.id"), KEY_ID + "\n");
    Files.writeString(dir.resolve("aws.secret"), "editions-test-secret\n");
    return """
        providers:
          ssh:
            known-hosts: known_hosts
            aws: {region: eu-central-1, tag: "vncgate=true", user: ec2-user, identity-file: id_ed25519,
                  endpoint: "%s", access-key-id-file: aws.id, secret-access-key-file: aws.secret}
        """.formatted(ec2.endpoint());
  }

  @Test
  void thePlainZipNamesTheAwsEditionWhenAwsIsConfigured() throws Exception {
    try (Ec2Testbed ec2 = Ec2Testbed.start(KEY_ID, List.of(), 10)) {
      PluginZips.install(PluginZips.ssh(), dir.resolve("plugins"));
      String yaml = config(ec2);
      Exception e = assertThrows(Exception.class, () -> {
        try (GatewayHarness gw = GatewayHarness.in(dir).yaml(yaml).start()) {
          gw.targets();
        }
      });
      String words = messages(e);
      assertTrue(words.contains("providers.ssh.aws") && words.contains("vncgate-provider-ssh-<version>-aws.zip"), words);
    }
  }

  @Test
  void theAwsEditionListsEc2Instances() throws Exception {
    try (Ec2Testbed ec2 = Ec2Testbed.start(KEY_ID, List.of(
        new Ec2Testbed.Instance("i-0a1", "running", "10.1.0.1", "198.51.100.1", Map.of("vncgate", "true", "Name", "alpha")),
        new Ec2Testbed.Instance("i-0b2", "running", "10.1.0.2", "198.51.100.2", Map.of("vncgate", "false"))), 10)) {
      PluginZips.install(PluginZips.sshAws(), dir.resolve("plugins"));
      try (GatewayHarness gw = GatewayHarness.in(dir).yaml(config(ec2)).start()) {
        JsonArray targets = gw.targets();
        assertEquals(1, targets.size(), targets.encode());
        assertEquals("ssh/aws/i-0a1", targets.getJsonObject(0).getString("id"));
      }
    }
  }

  @Test
  void withBothZipsInTheFolderTheAwsEditionIsLoaded() throws Exception {
    try (Ec2Testbed ec2 = Ec2Testbed.start(KEY_ID, List.of(
        new Ec2Testbed.Instance("i-0c3", "running", "10.1.0.3", "198.51.100.3", Map.of("vncgate", "true"))), 10)) {
      PluginZips.install(PluginZips.ssh(), dir.resolve("plugins"));
      PluginZips.install(PluginZips.sshAws(), dir.resolve("plugins"));
      try (GatewayHarness gw = GatewayHarness.in(dir).yaml(config(ec2)).start()) {
        JsonArray targets = gw.targets();
        assertEquals(1, targets.size(), targets.encode());
        assertEquals("ssh/aws/i-0c3", targets.getJsonObject(0).getString("id"));
      }
    }
  }

  private static String messages(Throwable e) {
    List<String> out = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) out.add(String.valueOf(t.getMessage()));
    return String.join(" / ", out);
  }
}
