package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.tcp.tls: off, offer or require; offer by default with server.tls, off without; require needs server.tls. */
class TcpTlsConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String server) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Files.writeString(dir.resolve("c.pem"), "x");
    Files.writeString(dir.resolve("k.pem"), "x");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + server);
    return ConfigLoader.load(f);
  }

  private static final String TLS = "tls: {cert-file: c.pem, key-file: k.pem}";

  @Test
  void defaultsFollowServerTls() throws Exception {
    assertEquals(GatewayConfig.TcpTls.OFF, load("").server().tcp().tls());
    assertEquals(GatewayConfig.TcpTls.OFFER, load("server: {" + TLS + "}\n").server().tcp().tls());
  }

  @Test
  void eachValueAndYamlsOff() throws Exception {
    assertEquals(GatewayConfig.TcpTls.REQUIRE, load("server: {" + TLS + ", tcp: {tls: require}}\n").server().tcp().tls());
    assertEquals(GatewayConfig.TcpTls.OFFER, load("server: {" + TLS + ", tcp: {tls: offer}}\n").server().tcp().tls());
    // YAML 1.1 reads an unquoted off as false
    assertEquals(GatewayConfig.TcpTls.OFF, load("server: {" + TLS + ", tcp: {tls: off}}\n").server().tcp().tls());
    assertEquals(GatewayConfig.TcpTls.OFF, load("server: {" + TLS + ", tcp: {tls: \"off\"}}\n").server().tcp().tls());
    assertEquals(GatewayConfig.TcpTls.OFF, load("server: {tcp: {tls: off}}\n").server().tcp().tls());
  }

  @Test
  void requireOrOfferWithoutServerTlsAndUnknownValuesAreNamed() throws Exception {
    String m = assertThrows(ConfigException.class, () -> load("server: {tcp: {tls: require}}\n")).getMessage();
    assertTrue(m.contains("server.tcp.tls") && m.contains("server.tls"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {tcp: {tls: offer}}\n")).getMessage();
    assertTrue(m.contains("server.tcp.tls") && m.contains("server.tls"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {" + TLS + ", tcp: {tls: yes}}\n")).getMessage();
    assertTrue(m.contains("server.tcp.tls") && m.contains("off, offer or require"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {" + TLS + ", tcp: {tls: always}}\n")).getMessage();
    assertTrue(m.contains("server.tcp.tls") && m.contains("\"always\""), m);
  }
}
