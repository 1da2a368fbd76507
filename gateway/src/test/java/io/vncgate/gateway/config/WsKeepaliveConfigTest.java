package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.ws-keepalive: default 25 s, 0s turns pings off, sub-second intervals are refused. */
class WsKeepaliveConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String server) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + server);
    return ConfigLoader.load(f);
  }

  @Test
  void defaultsTo25Seconds() throws Exception {
    assertEquals(Duration.ofSeconds(25), load("").server().wsKeepalive());
  }

  @Test
  void zeroTurnsPingsOffAndOtherDurationsAreTaken() throws Exception {
    assertEquals(Duration.ZERO, load("server: {ws-keepalive: 0s}\n").server().wsKeepalive());
    assertEquals(Duration.ofMinutes(1), load("server: {ws-keepalive: 1m}\n").server().wsKeepalive());
  }

  @Test
  void subSecondAndGarbageAreRefusedNamingTheKey() {
    String m = assertThrows(ConfigException.class, () -> load("server: {ws-keepalive: 500ms}\n")).getMessage();
    assertTrue(m.contains("server.ws-keepalive") && m.contains("at least 1s"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {ws-keepalive: often}\n")).getMessage();
    assertTrue(m.contains("server.ws-keepalive"), m);
  }
}
