package io.vncgate.providers.proxmox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.providers.proxmox.config.SettingsReader;
import io.vncgate.providers.proxmox.tls.Fingerprints;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A config mistake stops start-up with the full key that is wrong; a good config reads as written. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProxmoxConfigTest {
  static final String FP = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  private static final String OK = "{name: lab, url: 'https://pve1.example:8006', token-id: 'vncgate@pve!gateway',"
      + " token-secret-file: pve.token, fingerprint: '" + FP + "'";

  @TempDir
  Path dir;

  @BeforeEach
  void secrets() throws Exception {
    Files.writeString(dir.resolve("pve.token"), "0b8c9a7e-1111-2222-3333-444455556666\n");
    Files.writeString(dir.resolve("pve.password"), "s3cret\n");
    Files.writeString(dir.resolve("empty.token"), "\n");
    Files.writeString(dir.resolve("not-a-ca.pem"), "hello\n");
  }

  private List<ClusterSettings> read(String yaml) {
    return SettingsReader.read(new ProviderConfig("providers.proxmox", ProviderTestConfig.parse(yaml)), dir);
  }

  private ProviderConfigException failure(String yaml) {
    return assertThrows(ProviderConfigException.class, () -> read(yaml));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "no clusters       | clusters: []                                                  | providers.proxmox.clusters",
      "top-level typo    | cluster: [x]                                                  | providers.proxmox.cluster",
      "typo in entry     | clusters: [" + OK + ", tag: [vnc]}]                            | providers.proxmox.clusters[0].tag",
      "missing name      | clusters: [{url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token}] | providers.proxmox.clusters[0].name",
      "bad name          | clusters: [{name: 'Lab/1', url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token}] | providers.proxmox.clusters[0].name",
      "http url          | clusters: [{name: lab, url: 'http://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token}] | providers.proxmox.clusters[0].url",
      "url with path     | clusters: [{name: lab, url: 'https://h:8006/api2/json', token-id: 'a@pve!b', token-secret-file: pve.token}] | providers.proxmox.clusters[0].url",
      "no auth           | clusters: [{name: lab, url: 'https://h:8006'}]                | providers.proxmox.clusters[0].token-id",
      "token without !   | clusters: [{name: lab, url: 'https://h:8006', token-id: 'vncgate@pve', token-secret-file: pve.token}] | providers.proxmox.clusters[0].token-id",
      "no secret file    | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b'}] | providers.proxmox.clusters[0].token-secret-file",
      "missing secret    | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: nope}] | providers.proxmox.clusters[0].token-secret-file",
      "empty secret      | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: empty.token}] | providers.proxmox.clusters[0].token-secret-file",
      "token and user    | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token, user: 'a@pve'}] | providers.proxmox.clusters[0].user",
      "user no realm     | clusters: [{name: lab, url: 'https://h:8006', user: vncgate, password-file: pve.password}] | providers.proxmox.clusters[0].user",
      "user no password  | clusters: [{name: lab, url: 'https://h:8006', user: 'vncgate@pve'}] | providers.proxmox.clusters[0].password-file",
      "short fingerprint | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token, fingerprint: 'AB:CD'}] | providers.proxmox.clusters[0].fingerprint",
      "sha1 fingerprint  | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token, fingerprint: '12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78'}] | providers.proxmox.clusters[0].fingerprint",
      "pin and ca        | clusters: [" + OK + ", ca-file: pve.token}]                    | providers.proxmox.clusters[0].ca-file",
      "ca not a cert     | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token, ca-file: not-a-ca.pem}] | providers.proxmox.clusters[0].ca-file",
      "ca missing        | clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: pve.token, ca-file: nope.pem}] | providers.proxmox.clusters[0].ca-file",
      "bad tag           | clusters: [" + OK + ", tags: ['a b']}]                          | providers.proxmox.clusters[0].tags[0]",
      "bad pool          | clusters: [" + OK + ", pools: [lab, 'x/y']}]                    | providers.proxmox.clusters[0].pools[1]",
      "duplicate name    | clusters: [" + OK + "}, " + OK + "}]                            | providers.proxmox.clusters[1].name",
  })
  void errorNamesTheKey(String what, String yaml, String key) {
    ProviderConfigException e = failure(yaml);
    assertEquals(key, e.key(), e.getMessage());
    assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
  }

  @Test
  void aWrongFingerprintSaysWhereToFindTheRightOne() {
    ProviderConfigException e = failure("clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b',"
        + " token-secret-file: pve.token, fingerprint: 'AB:CD'}]");
    assertEquals("providers.proxmox.clusters[0].fingerprint: expected the SHA-256 fingerprint of the API certificate"
        + " as 32 hex pairs separated by ':' (as `pvenode cert info` shows it), got \"AB:CD\"", e.getMessage());
  }

  @Test
  void secretsNeverAppearInConfigErrors() {
    ProviderConfigException e = failure("clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b',"
        + " token-secret-file: pve.token, user: 'a@pve', password-file: pve.password}]");
    assertFalse(e.getMessage().contains("0b8c9a7e"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void aTokenClusterReadsAsWritten() {
    ClusterSettings c = read("clusters: [" + OK + ", tags: [vnc, lab], pools: [lab]}]").get(0);
    assertEquals("lab", c.name());
    assertEquals("https://pve1.example:8006", c.url().toString());
    assertEquals(new ClusterSettings.Token("vncgate@pve!gateway", dir.resolve("pve.token")), c.login());
    assertEquals(FP, c.fingerprint());
    assertEquals(List.of("vnc", "lab"), c.tags());
    assertEquals(List.of("lab"), c.pools());
    assertEquals("providers.proxmox.clusters[0].fingerprint", c.key("fingerprint"));
  }

  @Test
  void aPasswordClusterWithNoPinUsesTheJvmTrustStore() {
    ClusterSettings c = read("clusters: [{name: home, url: 'https://pve.example.org/', user: 'vncgate@pve',"
        + " password-file: pve.password}]").get(0);
    assertEquals(new ClusterSettings.Password("vncgate@pve", dir.resolve("pve.password")), c.login());
    assertEquals("https://pve.example.org", c.url().toString());
    assertEquals(null, c.fingerprint());
    assertEquals(null, c.caFile());
  }

  @Test
  void severalClustersKeepTheirOrder() {
    List<ClusterSettings> c = read("clusters: [" + OK + "}, {name: dc2, url: 'https://10.0.0.2:8006',"
        + " token-id: 'vncgate@pve!gw2', token-secret-file: pve.token, fingerprint: '" + FP.toLowerCase() + "'}]");
    assertEquals(List.of("lab", "dc2"), c.stream().map(ClusterSettings::name).toList());
    assertEquals(FP, c.get(1).fingerprint(), "fingerprints are compared in PVE's upper-case form");
    assertEquals("providers.proxmox.clusters[1].fingerprint", c.get(1).key("fingerprint"));
  }

  @Test
  void fingerprintsAreAcceptedWithOrWithoutColonsButNotHalfColoned() {
    String bare = FP.replace(":", "");
    assertEquals(Optional.of(FP), Fingerprints.normalize(bare.toLowerCase()));
    assertEquals(Optional.of(FP), Fingerprints.normalize(" " + FP + " "));
    assertEquals(Optional.of(FP), Fingerprints.normalize("sha256 Fingerprint=" + FP), "openssl's whole line");
    assertEquals(Optional.of(FP), Fingerprints.normalize("SHA256 Fingerprint=" + FP), "OpenSSL 3's spelling");
    assertEquals(Optional.empty(), Fingerprints.normalize("ABCD:" + bare.substring(4)));
    assertEquals(Optional.empty(), Fingerprints.normalize(bare + "00"));
    assertEquals(Optional.empty(), Fingerprints.normalize(bare.replace('A', 'G')));
  }

  @Test
  void theProviderRefusesToStartOnABadConfig() {
    ProviderConfigException e = assertThrows(ProviderConfigException.class, () -> ProviderTestConfig.start(new ProxmoxTargetProvider(), dir,
        "clusters: [{name: lab, url: 'https://h:8006', token-id: 'a@pve!b', token-secret-file: nope}]"));
    assertEquals("providers.proxmox.clusters[0].token-secret-file", e.key());
  }
}
