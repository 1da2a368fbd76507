package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code audit} rolling keys and {@code server.admin}: defaults, values, and errors that name the key. */
class AuditAndAdminConfigTest {
  private static final String JWT = "auth: {jwt: {secret-file: jwt.key}}\n";
  @TempDir Path dir;

  private GatewayConfig load(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    return ConfigLoader.load(Files.writeString(dir.resolve("vncgate.yaml"), JWT + yaml));
  }

  private String message(String yaml) {
    return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
  }

  @Test
  void defaultsKeepTodaysBehaviour() throws Exception {
    GatewayConfig c = load("");
    assertNull(c.audit().file());
    assertFalse(c.audit().rolls());
    assertFalse(c.server().admin().listener(), "metrics stay on the main port");
    assertNull(c.server().admin().metricsTokenFile());
  }

  @Test
  void rollingAndAdminKeysAreRead() throws Exception {
    GatewayConfig c = load("audit: {file: logs/audit.jsonl, max-file-size: 10MiB, rotate: hourly, max-history: 48, compress: true}\n"
        + "server:\n  admin: {port: 9100, metrics-token-file: metrics.token}\n");
    assertEquals(dir.resolve("logs/audit.jsonl"), c.audit().file());
    assertEquals(10L * 1024 * 1024, c.audit().maxFileSize());
    assertEquals(GatewayConfig.Audit.Rotate.HOURLY, c.audit().rotate());
    assertEquals(48, c.audit().maxHistory());
    assertTrue(c.audit().compress());
    assertEquals(new GatewayConfig.Admin("127.0.0.1", 9100, dir.resolve("metrics.token")), c.server().admin());
  }

  @Test
  void mistakesNameTheKey() {
    assertTrue(message("audit: {file: a.log, rotate: weekly}\n").contains("audit.rotate: expected never, daily or hourly"));
    assertTrue(message("audit: {file: a.log, max-file-size: 1MiB, max-history: 30}\n").contains("audit.max-history"));
    assertTrue(message("audit: {max-file-size: 1MiB}\n").contains("audit.max-file-size: rolls the audit file, but audit.file"));
    assertTrue(message("audit: {file: a.log, max-file-size: 100}\n").contains("audit.max-file-size: must be at least 1KiB"));
    assertTrue(message("audit: {file: a.log, keep: 3}\n").contains("audit.keep"));
    assertTrue(message("server:\n  port: 7000\n  admin: {port: 7000}\n").contains("server.admin.port: is server.port too"));
    assertTrue(message("server:\n  admin: {host: 0.0.0.0}\n").contains("server.admin.host: is set but server.admin.port is not"));
    assertTrue(message("server:\n  admin: {token: x}\n").contains("server.admin.token"));
  }
}
