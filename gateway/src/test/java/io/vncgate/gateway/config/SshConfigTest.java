package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.transport.ssh.SshSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The optional {@code ssh:} section: the SSH route's timeouts and keep-alives. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SshConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig load(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    return ConfigLoader.load(Files.writeString(dir.resolve("vncgate.yaml"), "auth: {jwt: {secret-file: jwt.key}}\n" + yaml));
  }

  @Test
  void absentSectionKeepsTheDefaults() throws Exception {
    assertEquals(SshSettings.DEFAULTS, load("").ssh());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    SshSettings s = load("ssh: {connect-timeout: 4s, auth-timeout: 20s, keepalive: 0s, idle-session-close: 2m}\n").ssh();
    assertEquals(new SshSettings(Duration.ofSeconds(4), Duration.ofSeconds(20), Duration.ZERO, Duration.ofMinutes(2)), s);
  }

  @Test
  void errorsNameTheKey() {
    String zero = assertThrows(ConfigException.class, () -> load("ssh: {connect-timeout: 0s}\n")).getMessage();
    assertTrue(zero.endsWith("ssh.connect-timeout: must be longer than zero"), zero);
    String typo = assertThrows(ConfigException.class, () -> load("ssh: {keep-alive: 5s}\n")).getMessage();
    assertTrue(typo.contains("ssh.keep-alive: unknown key"), typo);
  }
}
