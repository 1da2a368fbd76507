package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.transport.ZeroCopy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.zero-copy: auto by default; always and never taken in any case; anything else refused naming the key. */
class ZeroCopyConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String server) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + server);
    return ConfigLoader.load(f);
  }

  @Test
  void defaultsToAuto() throws Exception {
    assertEquals(ZeroCopy.AUTO, load("").server().zeroCopy());
  }

  @Test
  void alwaysAndNeverAreTaken() throws Exception {
    assertEquals(ZeroCopy.ALWAYS, load("server: {zero-copy: always}\n").server().zeroCopy());
    assertEquals(ZeroCopy.NEVER, load("server: {zero-copy: Never}\n").server().zeroCopy());
    assertEquals(ZeroCopy.AUTO, load("server: {zero-copy: auto}\n").server().zeroCopy());
  }

  @Test
  void anythingElseIsRefusedNamingTheKeyAndTheChoices() {
    String m = assertThrows(ConfigException.class, () -> load("server: {zero-copy: splice}\n")).getMessage();
    assertTrue(m.contains("server.zero-copy") && m.contains("auto, always or never") && m.contains("\"splice\""), m);
    // YAML 1.1 makes these booleans: the message says so, or "got true" would puzzle whoever wrote "on"
    for (String bad : new String[] {"on", "off", "yes", "false"}) {
      m = assertThrows(ConfigException.class, () -> load("server: {zero-copy: " + bad + "}\n")).getMessage();
      assertTrue(m.contains("server.zero-copy") && m.contains("auto, always or never") && m.contains("YAML reads"), m);
    }
  }
}
