package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.oidc, auth.jwt.jwks-url, auth.claims-path, auth.groups-claim and auth.claims-mapping. */
class IdentityConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = Files.writeString(dir.resolve("vncgate.yaml"), yaml);
    return ConfigLoader.load(f);
  }

  private String message(String yaml) {
    return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
  }

  @Test
  void staticKeyModeIsUnchanged() throws Exception {
    GatewayConfig c = load("auth: {jwt: {secret-file: jwt.key}}\n");
    assertNull(c.jwt().remote());
    assertEquals(GatewayConfig.ClaimSource.DEFAULT, c.jwt().claims());
    assertEquals("vncgate", c.jwt().audience());
  }

  @Test
  void oidcIssuerWithDiscovery() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "x");
    GatewayConfig c = load("auth:\n  oidc: {issuer: \"https://idp.example/realms/r\", audience: vncgate, ca-file: ca.pem}\n"
        + "  claims-path: resource_access.vncgate\n  groups-claim: realm_access.roles\n"
        + "  claims-mapping:\n    - {group: ops, targets: [\"pve/**\"], role: control}\n");
    GatewayConfig.RemoteKeys r = c.jwt().remote();
    assertEquals("https://idp.example/realms/r", r.discoveryIssuer().toString());
    assertNull(r.jwksUrl());
    assertEquals(dir.resolve("ca.pem"), r.caFile());
    assertEquals(Duration.ofSeconds(30), r.refetchInterval());
    assertEquals("https://idp.example/realms/r", c.jwt().issuer());
    assertEquals("vncgate", c.jwt().audience());
    assertEquals(new GatewayConfig.ClaimSource("resource_access.vncgate", "realm_access.roles",
        List.of(new GatewayConfig.GroupRule("ops", List.of("pve/**"), "control"))), c.jwt().claims());
  }

  @Test
  void jwksUrlWithoutIssuerOrAudienceChecksNeither() throws Exception {
    GatewayConfig c = load("auth: {jwt: {jwks-url: \"https://idp.example/keys\"}}\n");
    assertEquals("https://idp.example/keys", c.jwt().remote().jwksUrl().toString());
    assertNull(c.jwt().issuer());
    assertNull(c.jwt().audience());
  }

  @Test
  void mistakesAreNamedByKey() {
    assertTrue(message("auth: {oidc: {issuer: \"http://idp.example\"}}\n")
        .contains("auth.oidc.issuer: expected an https:// URL"));
    assertTrue(message("auth: {jwt: {jwks-url: \"https://a/k\", secret-file: jwt.key}}\n")
        .contains("auth.jwt.secret-file: the keys come from the identity provider"));
    assertTrue(message("auth: {jwt: {jwks-url: \"https://a/k\"}, oidc: {issuer: \"https://a\"}}\n")
        .contains("not both"));
    assertTrue(message("auth: {oidc: {audience: vncgate}, jwt: {secret-file: jwt.key}}\n")
        .contains("auth.oidc.issuer: missing"));
    assertTrue(message("auth: {oidc: {issuer: \"https://a\", ca-file: nope.pem}}\n")
        .contains("auth.oidc.ca-file: file"));
    assertTrue(message("auth: {oidc: {issuer: \"https://a\"}, claims-mapping: [{group: g, targets: [x], role: admin}]}\n")
        .contains("auth.claims-mapping[0].role: expected view or control"));
    assertTrue(message("auth: {oidc: {issuer: \"https://a\"}, claims-mapping: [{group: g}]}\n")
        .contains("auth.claims-mapping[0].targets: missing"));
    assertTrue(message("auth: {oidc: {issuer: \"https://a\"}, claims-path: \"a..b\"}\n")
        .contains("auth.claims-path: expected a dotted claim path"));
  }
}
