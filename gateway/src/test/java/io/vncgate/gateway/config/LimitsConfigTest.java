package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code limits.connections/http/websocket/tickets/upstream} keys: safe defaults, and errors naming the key. */
class LimitsConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String limitsYaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + limitsYaml);
    return ConfigLoader.load(f);
  }

  private String message(String limitsYaml) {
    return assertThrows(ConfigException.class, () -> load(limitsYaml)).getMessage();
  }

  @Test
  void defaultsAreSafe() throws Exception {
    GatewayConfig.Limits l = load("").limits();
    assertEquals(GatewayConfig.Limits.AUTO, l.maxConnections());
    assertEquals(256, l.maxConnectionsPerAddress());
    assertEquals(Duration.ofSeconds(10), l.headerTimeout());
    assertEquals(1024 * 1024, l.wsMaxFrameBytes());
    assertEquals(8 * 1024, l.wsFirstMessageBytes());
    assertEquals(20, l.ticketsPerUser());
    assertEquals(20, l.ticketFailuresPerAddress());
    assertEquals(Duration.ofMinutes(1), l.ticketFailureWindow());
  }

  @Test
  void theAutomaticConnectionCapFitsTheOpenFileLimit() throws Exception {
    GatewayConfig.Limits l = load("").limits();
    assertEquals(9_872, GatewayConfig.effectiveMaxConnections(l, 20_000));
    assertEquals(384, GatewayConfig.effectiveMaxConnections(l, 1_024));
    assertEquals(10_000, GatewayConfig.effectiveMaxConnections(l, 1_048_576));
    assertEquals(10_000, GatewayConfig.effectiveMaxConnections(l, -1));
    assertEquals(50, GatewayConfig.effectiveMaxConnections(load("limits: {connections: {max: 50, per-address: 5}}\n").limits(), 1_024));
  }

  @Test
  void everyKeyIsRead() throws Exception {
    GatewayConfig.Limits l = load("limits:\n  connections: {max: 100, per-address: 10}\n  http: {header-timeout: 3s}\n"
        + "  websocket: {max-frame: 256KiB, events-message: 4KiB}\n"
        + "  tickets: {per-user: 3, failures-per-address: 5, failure-window: 2m}\n").limits();
    assertEquals(new GatewayConfig.Limits(100, 10, Duration.ofSeconds(3), 256 * 1024, 4 * 1024, 3, 5, Duration.ofMinutes(2)), l);
  }

  @Test
  void errorsNameTheKey() {
    assertTrue(message("limits: {connections: {max: 10, per-address: 20}}\n").contains("limits.connections.per-address"));
    assertTrue(message("limits: {connections: {maximum: 10}}\n").contains("limits.connections.maximum: unknown key"));
    assertTrue(message("limits: {http: {header-timeout: 0s}}\n").contains("limits.http.header-timeout"));
    assertTrue(message("limits: {websocket: {max-frame: 4KiB, events-message: 8KiB}}\n").contains("limits.websocket.events-message"));
    assertTrue(message("limits: {tickets: {per-user: 0}}\n").contains("limits.tickets.per-user"));
  }

  @Test
  void upstreamPacingHasTigerVncsDefaultsEveryKeyIsReadAndErrorsNameTheKey() throws Exception {
    assertEquals(new GatewayConfig.Pacing(3, 1000, 5, Duration.ofSeconds(10)), load("").pacing());
    assertEquals(new GatewayConfig.Pacing(2, 50, 0, Duration.ofMillis(1500)), load("limits:\n  upstream: {handshakes-per-target: 2,"
        + " queue-per-target: 50, blacklist-threshold: 0, blacklist-backoff: 1500ms}\n").pacing());
    assertTrue(message("limits: {upstream: {handshakes-per-target: 0}}\n").contains("limits.upstream.handshakes-per-target"));
    assertTrue(message("limits: {upstream: {queue-per-target: 0}}\n").contains("limits.upstream.queue-per-target"));
    assertTrue(message("limits: {upstream: {blacklist-threshold: -1}}\n").contains("limits.upstream.blacklist-threshold"));
    assertTrue(message("limits: {upstream: {blacklist-backoff: 0s}}\n").contains("limits.upstream.blacklist-backoff"));
    assertTrue(message("limits: {upstream: {in-flight: 2}}\n").contains("limits.upstream.in-flight: unknown key"));
  }
}
