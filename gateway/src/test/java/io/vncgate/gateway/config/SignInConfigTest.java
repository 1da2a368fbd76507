package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.ui.WebUi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.oidc.client-id and auth.oidc.scopes: the viewer page's sign-in at the identity provider. */
class SignInConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String authYaml) throws Exception {
    return ConfigLoader.load(Files.writeString(dir.resolve("vncgate.yaml"), "auth:\n" + authYaml));
  }

  private String message(String authYaml) {
    return assertThrows(ConfigException.class, () -> load(authYaml)).getMessage();
  }

  @Test
  void aClientIdOffersSignInWithTheOpenidScopeByDefault() throws Exception {
    GatewayConfig c = load("  oidc: {issuer: \"https://idp.example:8443/realms/r\", client-id: vncgate-web}\n");
    assertEquals(new GatewayConfig.SignIn("vncgate-web", List.of("openid")), c.jwt().remote().signIn());
    assertEquals(List.of("https://idp.example:8443"), WebUi.connectOrigins(c));
  }

  @Test
  void scopesAreAListOrOneSpaceSeparatedString() throws Exception {
    assertEquals(List.of("openid", "profile", "groups"), load("  oidc: {issuer: \"https://idp.example/r\", client-id: c,"
        + " scopes: \"openid profile  groups\"}\n").jwt().remote().signIn().scopes());
    assertEquals(List.of("openid", "email"), load("  oidc: {issuer: \"https://idp.example/r\", client-id: c,"
        + " scopes: [openid, email]}\n").jwt().remote().signIn().scopes());
  }

  @Test
  void withoutAClientIdNoSignInAndThePageMayFetchOnlyItsOwnOrigin() throws Exception {
    GatewayConfig c = load("  oidc: {issuer: \"https://idp.example/r\"}\n");
    assertNull(c.jwt().remote().signIn());
    assertEquals(List.of(), WebUi.connectOrigins(c));
  }

  @Test
  void mistakesNameTheKey() {
    String m = message("  oidc: {issuer: \"https://idp.example/r\", client-id: c, scopes: [profile]}\n");
    assertTrue(m.contains("auth.oidc.scopes") && m.contains("openid"), m);
    m = message("  oidc: {issuer: \"https://idp.example/r\", scopes: [openid]}\n");
    assertTrue(m.contains("auth.oidc.client-id"), m);
    m = message("  jwt: {jwks-url: \"https://idp.example/keys\"}\n  oidc: {client-id: c}\n");
    assertTrue(m.contains("auth.oidc.issuer"), m);
    m = message("  oidc: {issuer: \"https://idp.example/r\", client-id: \"has space\"}\n");
    assertTrue(m.contains("auth.oidc.client-id"), m);
  }
}
