package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private String message(String yaml) throws Exception {
    Path f = write(yaml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(f)).getMessage();
  }

  @Test
  void minimalConfigGetsSecureDefaults() throws Exception {
    GatewayConfig c = ConfigLoader.load(write("auth: {jwt: {secret-file: jwt.key}}\n"));
    assertEquals("127.0.0.1", c.server().host());
    assertEquals(6080, c.server().port());
    assertEquals("127.0.0.1", c.server().tcp().host());
    assertEquals(Duration.ofSeconds(30), c.ticketTtl());
    assertEquals(1024 * 1024, c.clipboard().maxBytes());
    assertTrue(c.server().originsFor(6080).contains("http://127.0.0.1:6080"));
    assertEquals("HS256", c.jwt().algorithm());
    assertEquals("0123456789abcdef0123456789abcdef-long-enough", new String(c.jwt().key()));
  }

  @Test
  void typoInKeyIsNamed() throws Exception {
    String m = message("auth: {jwt: {secret-file: jwt.key}}\nserver: {prot: 1}\n");
    assertTrue(m.contains("server.prot: unknown key — did you mean server.port? (the keys here: host, port,"), m);
  }

  @Test
  void didYouMeanOnSiblingsAndOnKeysAtTheWrongLevel() throws Exception {
    String yaml = "auth: {jwt: {secret-file: jwt.key}}\n";
    assertTrue(message(yaml + "server: {handshake-timout: 5s}\n")
        .contains("server.handshake-timout: unknown key — did you mean server.handshake-timeout?"));
    assertTrue(message(yaml + "limits: {upstream: {queue-per-taget: 5}}\n")
        .contains("limits.upstream.queue-per-taget: unknown key — did you mean limits.upstream.queue-per-target?"));
    assertTrue(message("auth: {jwt: {secret-file: jwt.key, algoritm: HS256}}\n")
        .contains("auth.jwt.algoritm: unknown key — did you mean auth.jwt.algorithm?"));
    assertTrue(message(yaml + "sesions: {fan-out-grace: 1s}\n").contains("sesions: unknown key — did you mean sessions?"));
    // a key under the wrong section: the place it belongs
    String ttl = message(yaml + "server: {ttl: 5s}\n");
    assertTrue(ttl.startsWith("config vncgate.yaml: server.ttl: unknown key (the keys here: host,") && ttl.endsWith(" — is it auth.tickets.ttl?"), ttl);
    String top = message(yaml + "port: 7000\n");
    assertTrue(top.startsWith("config vncgate.yaml: port: unknown key (the keys here: server, auth,") && top.endsWith(
        " — is it server.port or server.tcp.port or server.admin.port?"), top);
    String fmt = message(yaml + "server: {format: json}\n");
    assertTrue(fmt.endsWith(" — is it logging.format?"), fmt);
    // nothing near: the keys, no guess
    String far = message(yaml + "server: {colour: blue}\n");
    assertTrue(far.endsWith("ws-keepalive, zero-copy, banner-timeout, drain-timeout, tls, base-path, trusted-proxies, admin)"), far);
  }

  @Test
  void closestIsDamerauLevenshteinWithALimit() {
    var keys = java.util.List.of("port", "host", "tcp");
    assertEquals("port", io.vncgate.spi.ProviderConfig.closest("prot", keys).orElseThrow()); // swapped neighbours: 1 edit
    assertEquals("port", io.vncgate.spi.ProviderConfig.closest("Port", keys).orElseThrow());
    assertEquals("host", io.vncgate.spi.ProviderConfig.closest("hosts", keys).orElseThrow());
    assertTrue(io.vncgate.spi.ProviderConfig.closest("pt", keys).isEmpty()); // 2 edits from port: too far for 2 letters
    assertTrue(io.vncgate.spi.ProviderConfig.closest("address", keys).isEmpty());
  }

  @Test
  void badPortNamesTheKey() throws Exception {
    String m = message("auth: {jwt: {secret-file: jwt.key}}\nserver: {tcp: {port: seventy}}\n");
    assertTrue(m.contains("server.tcp.port: expected a whole number from 0 to 65535, got \"seventy\""), m);
  }

  @Test
  void missingSecretFileIsNamed() throws Exception {
    String m = message("auth: {jwt: {secret-file: nope.key}}\n");
    assertTrue(m.contains("auth.jwt.secret-file: file") && m.contains("does not exist"), m);
  }

  @Test
  void shortHmacSecretIsRefused() throws Exception {
    Files.writeString(dir.resolve("short.key"), "tooshort");
    String m = message("auth: {jwt: {secret-file: short.key}}\n");
    assertTrue(m.contains("auth.jwt.secret-file") && m.contains("at least 32"), m);
    assertTrue(!m.contains("tooshort"), "the secret must not appear in the message");
  }

  @Test
  void noJwtKeyAtAllSaysWhatToDo() throws Exception {
    String m = message("server: {port: 6080}\n");
    assertTrue(m.contains("auth.jwt.secret-file: missing"), m);
  }

  @Test
  void originWithPathIsRefused() throws Exception {
    String m = message("auth: {jwt: {secret-file: jwt.key}}\nserver: {allowed-origins: [\"http://a:1/x\"]}\n");
    assertTrue(m.contains("server.allowed-origins[0]"), m);
  }

  @Test
  void invalidYamlSaysSo() throws Exception {
    String m = message("server: [unclosed\n");
    assertTrue(m.contains("is not valid YAML"), m);
  }

  @Test
  void durationsAndSizesParse() throws Exception {
    GatewayConfig c = ConfigLoader.load(write("auth: {jwt: {secret-file: jwt.key}, tickets: {ttl: 45s}}\n"
        + "server: {idle-timeout: 2h}\nlimits: {clipboard: {max-bytes: 64KiB, to-viewer: false}}\n"));
    assertEquals(Duration.ofSeconds(45), c.ticketTtl());
    assertEquals(Duration.ofHours(2), c.server().idleTimeout());
    assertEquals(64 * 1024, c.clipboard().maxBytes());
    assertEquals(false, c.clipboard().toViewer());
  }

  @Test
  void rs256NeedsAPemPublicKey() throws Exception {
    Files.writeString(dir.resolve("pub.pem"), "not a pem");
    String m = message("auth: {jwt: {algorithm: RS256, public-key-file: pub.pem}}\n");
    assertTrue(m.contains("auth.jwt.public-key-file: expected a PEM file"), m);
  }
}
