package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.tls: absent is plain HTTP; both files required, present and readable, named by key on failure. */
class TlsConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String server) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + server);
    return ConfigLoader.load(f);
  }

  @Test
  void absentIsPlainHttp() throws Exception {
    GatewayConfig c = load("");
    assertNull(c.server().tls());
    assertEquals("http", c.server().scheme());
  }

  @Test
  void bothFilesRelativeToTheConfigAndHttpsOrigins() throws Exception {
    Files.writeString(dir.resolve("c.pem"), "x");
    Files.writeString(dir.resolve("k.pem"), "x");
    GatewayConfig c = load("server: {tls: {cert-file: c.pem, key-file: k.pem}}\n");
    assertEquals(dir.resolve("c.pem"), c.server().tls().certFile());
    assertEquals(Duration.ofSeconds(30), c.server().tls().checkInterval());
    assertEquals("https", c.server().scheme());
    assertTrue(c.server().originsFor(6443).contains("https://127.0.0.1:6443"), c.server().originsFor(6443).toString());
  }

  @Test
  void missingKeysAndFilesAreNamed() throws Exception {
    String m = assertThrows(ConfigException.class, () -> load("server: {tls: {key-file: k.pem}}\n")).getMessage();
    assertTrue(m.contains("server.tls.cert-file") && m.contains("missing"), m);
    Files.writeString(dir.resolve("c.pem"), "x");
    m = assertThrows(ConfigException.class, () -> load("server: {tls: {cert-file: c.pem}}\n")).getMessage();
    assertTrue(m.contains("server.tls.key-file") && m.contains("missing"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {tls: {cert-file: c.pem, key-file: nope.pem}}\n")).getMessage();
    assertTrue(m.contains("server.tls.key-file") && m.contains("does not exist"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {tls: {cert-file: c.pem, key-file: c.pem, check-interval: 10ms}}\n"))
        .getMessage();
    assertTrue(m.contains("server.tls.check-interval"), m);
  }
}
