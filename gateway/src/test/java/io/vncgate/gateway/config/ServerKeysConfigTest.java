package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.engine.ZeroCopy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * server.ws-keepalive: default 25 s, 0s turns pings off, sub-second intervals are refused.
 * server.zero-copy: auto by default; always and never taken in any case; anything else refused
 * naming the key and the choices.
 */
class ServerKeysConfigTest {
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

  @Test
  void zeroCopyDefaultsToAuto() throws Exception {
    assertEquals(ZeroCopy.AUTO, load("").server().zeroCopy());
  }

  @Test
  void zeroCopyAlwaysAndNeverAreTaken() throws Exception {
    assertEquals(ZeroCopy.ALWAYS, load("server: {zero-copy: always}\n").server().zeroCopy());
    assertEquals(ZeroCopy.NEVER, load("server: {zero-copy: Never}\n").server().zeroCopy());
    assertEquals(ZeroCopy.AUTO, load("server: {zero-copy: auto}\n").server().zeroCopy());
  }

  @Test
  void zeroCopyAnythingElseIsRefusedNamingTheKeyAndTheChoices() {
    String m = assertThrows(ConfigException.class, () -> load("server: {zero-copy: splice}\n")).getMessage();
    assertTrue(m.contains("server.zero-copy") && m.contains("auto, always or never") && m.contains("\"splice\""), m);
    // YAML 1.1 makes these booleans: the message says so, or "got true" would puzzle whoever wrote "on"
    for (String bad : new String[] {"on", "off", "yes", "false"}) {
      m = assertThrows(ConfigException.class, () -> load("server: {zero-copy: " + bad + "}\n")).getMessage();
      assertTrue(m.contains("server.zero-copy") && m.contains("auto, always or never") && m.contains("YAML reads"), m);
    }
  }
}
