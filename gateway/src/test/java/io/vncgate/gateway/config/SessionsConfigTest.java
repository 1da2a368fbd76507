package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Sharing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sessions} keys: fan-out off unless asked for, the grace and the stall bound, errors naming the key. */
class SessionsConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + yaml);
    return ConfigLoader.load(f);
  }

  private String message(String yaml) {
    return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
  }

  @Test
  void defaultsLeaveSharingToTheProviderWithAThirtySecondGraceAndAOneMinuteStallBound() throws Exception {
    GatewayConfig.Sessions s = load("").sessions();
    assertEquals(List.of(), s.sharing());
    assertEquals(Duration.ofSeconds(30), s.fanOutGrace());
    assertEquals(Duration.ofSeconds(60), s.fanOutStallTimeout());
    assertEquals(GatewayConfig.UpstreamEncoding.AUTO, s.fanOutUpstreamEncoding());
  }

  @Test
  void everyKeyIsReadAndTheGlobsKeepTheFilesOrder() throws Exception {
    GatewayConfig.Sessions s = load("sessions:\n  sharing:\n    \"static/lab-*\": fan-out\n    \"static/**\": per-viewer\n"
        + "    \"kubevirt/**\": per-viewer\n  fan-out-grace: 0s\n  fan-out-stall-timeout: 90s\n"
        + "  fan-out-upstream-encoding: zrle\n").sessions();
    assertEquals(List.of(new GatewayConfig.SharingRule("static/lab-*", Sharing.FAN_OUT),
        new GatewayConfig.SharingRule("static/**", Sharing.PER_VIEWER),
        new GatewayConfig.SharingRule("kubevirt/**", Sharing.PER_VIEWER)), s.sharing());
    assertEquals(Duration.ZERO, s.fanOutGrace());
    assertEquals(Duration.ofSeconds(90), s.fanOutStallTimeout());
    assertEquals(GatewayConfig.UpstreamEncoding.ZRLE, s.fanOutUpstreamEncoding());
    assertEquals(GatewayConfig.UpstreamEncoding.HEXTILE,
        load("sessions: {fan-out-upstream-encoding: hextile}\n").sessions().fanOutUpstreamEncoding());
  }

  @Test
  void errorsNameTheKey() {
    String m = message("sessions:\n  sharing:\n    \"static/*\": shared\n");
    assertTrue(m.contains("sessions.sharing.static/*") && m.contains("fan-out or per-viewer") && m.contains("shared"), m);
    m = message("sessions:\n  fan-out-stall-timeout: 500ms\n");
    assertTrue(m.contains("sessions.fan-out-stall-timeout") && m.contains("at least 1s"), m);
    m = message("sessions:\n  fan-out-grace: soon\n");
    assertTrue(m.contains("sessions.fan-out-grace"), m);
    m = message("sessions:\n  fan-out-upstream-encoding: tight\n");
    assertTrue(m.contains("sessions.fan-out-upstream-encoding") && m.contains("auto, zrle or hextile") && m.contains("tight"), m);
    m = message("sessions:\n  fanout-grace: 3s\n");
    assertTrue(m.contains("sessions.fanout-grace") && m.contains("unknown key"), m);
  }
}
