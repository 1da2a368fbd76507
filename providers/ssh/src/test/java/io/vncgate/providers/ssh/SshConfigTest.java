package io.vncgate.providers.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.ProviderConfigException;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A config mistake stops start-up with the full key that is wrong. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SshConfigTest {
  private static final String BASE = "known-hosts: known_hosts\ndefaults: {user: desk, identity-file: id_ed25519}\n";

  @TempDir
  Path dir;

  private ProviderConfigException failure(String yaml) {
    return assertThrows(ProviderConfigException.class, () -> ProviderTestConfig.start(new SshTargetProvider(), dir, yaml));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bad port        | hosts: [{id: b, host: h, port: seventy}]                 | providers.ssh.hosts[0].port",
      "typo            | hosts: [{id: b, host: h, prot: 22}]                      | providers.ssh.hosts[0].prot",
      "missing host    | hosts: [{id: b}]                                         | providers.ssh.hosts[0].host",
      "bad id          | hosts: [{id: a/b, host: h}  ]                            | providers.ssh.hosts[0].id",
      "reserved id     | hosts: [{id: hetzner, host: h}]                          | providers.ssh.hosts[0].id",
      "duplicate id    | hosts: [{id: b, host: h}, {id: b, host: k}]              | providers.ssh.hosts[1].id",
      "vnc port        | hosts: [{id: b, host: h, vnc: {port: 0}}]                | providers.ssh.hosts[0].vnc.port",
      "both passwords  | hosts: [{id: b, host: h, vnc: {password-file: f, password-remote-file: /p}}] | providers.ssh.hosts[0].vnc.password-remote-file",
      "relative remote | hosts: [{id: b, host: h, vnc: {password-remote-file: .vnc/plain}}] | providers.ssh.hosts[0].vnc.password-remote-file",
      "hetzner remote  | hetzner: {token-file: t, vnc: {password-remote-file: '~/p'}} | providers.ssh.hetzner.vnc.password-remote-file",
      "top-level typo  | host: []                                                 | providers.ssh.host",
      "bad ttl         | discovery-ttl: soon                                      | providers.ssh.discovery-ttl",
      "hetzner token   | hetzner: {label-selector: x}                             | providers.ssh.hetzner.token-file",
      "hetzner network | hetzner: {token-file: t, network: vpn}                   | providers.ssh.hetzner.network",
      "hetzner url     | hetzner: {token-file: t, endpoint: \"ftp://x\"}            | providers.ssh.hetzner.endpoint",
      "aws region      | aws: {region: Frankfurt, tag: a=b}                       | providers.ssh.aws.region",
      "aws tag         | aws: {region: eu-central-1}                              | providers.ssh.aws.tag",
      "aws half creds  | aws: {region: eu-central-1, tag: a, access-key-id-file: k} | providers.ssh.aws.secret-access-key-file",
      "aws address     | aws: {region: eu-central-1, tag: a, address: both}       | providers.ssh.aws.address",
  })
  void errorNamesTheKey(String what, String yaml, String key) {
    ProviderConfigException e = failure(BASE + yaml);
    assertEquals(key, e.key(), e.getMessage());
    assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
  }

  @Test
  void passwordOnTheGatewayAndOnTheHostTogetherIsRefusedInWords() {
    ProviderConfigException e = failure(BASE
        + "hosts: [{id: b, host: h, vnc: {password-file: b.vncpass, password-remote-file: /home/desk/.vnc/plain}}]");
    assertEquals("providers.ssh.hosts[0].vnc.password-remote-file: set either password-file (a file on the gateway)"
        + " or password-remote-file (a file on the host), not both", e.getMessage());
  }

  @Test
  void defaultsAreCheckedEvenWhenNoEntryUsesThem() {
    assertEquals("providers.ssh.defaults.vnc.password-remote-file", failure("""
        known-hosts: known_hosts
        defaults: {vnc: {password-file: f, password-remote-file: /p}}
        """).key());
    assertEquals("providers.ssh.defaults.vnc.password-remote-file", failure("""
        known-hosts: known_hosts
        defaults: {vnc: {password-remote-file: p}}
        """).key());
  }

  @Test
  void passwordRemoteFileMustBeAnAbsolutePath() {
    ProviderConfigException e = failure(BASE + "hosts: [{id: b, host: h, vnc: {password-remote-file: .vnc/plain}}]");
    assertEquals("providers.ssh.hosts[0].vnc.password-remote-file: a path on the host must be absolute: \".vnc/plain\""
        + " (e.g. /home/desk/.vnc/plain)", e.getMessage());
  }

  @Test
  void hostKeysMustBeVerifiable() {
    ProviderConfigException e = failure("hosts: [{id: b, host: h, user: u, identity-file: k}]");
    assertEquals("providers.ssh.known-hosts", e.key());
    assertTrue(e.getMessage().contains("pinned-keys"), e.getMessage());
  }

  @Test
  void malformedPinnedKeyIsNamedByIndex() {
    ProviderConfigException e = failure("pinned-keys: ['SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU', 'md5:aa']\n");
    assertEquals("providers.ssh.pinned-keys[1]", e.key());
  }

  @Test
  void userAndKeyFileMustComeFromTheHostOrTheDefaults() {
    assertEquals("providers.ssh.hosts[0].user",
        failure("known-hosts: k\nhosts: [{id: b, host: h, identity-file: k}]").key());
    assertEquals("providers.ssh.hosts[0].identity-file",
        failure("known-hosts: k\nhosts: [{id: b, host: h, user: u}]").key());
    assertEquals("providers.ssh.hetzner.user",
        failure("known-hosts: k\nhetzner: {token-file: t, identity-file: k}").key());
  }
}
