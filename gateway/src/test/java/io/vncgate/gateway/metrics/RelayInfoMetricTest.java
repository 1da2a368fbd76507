package io.vncgate.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vncgate.gateway.audit.AuditLog;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.engine.RelayMode;
import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.session.LocalSessionRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the gateway relays large payloads is on {@code /metrics} as {@code vncgate_relay_info}, what
 * the benchmark reads (instead of the start-up log line), decided from {@code server.zero-copy} and
 * this machine.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RelayInfoMetricTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theRelayModeIsAGaugeWithTheModeAndTheReasonAsLabels() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = new GatewayMetrics(meters,
        new LocalSessionRegistry(vertx, Duration.ofSeconds(1), AuditLog.toLog()), new InMemoryTicketStore(Clock.systemUTC()));
    metrics.relayMode(RelayMode.of(ZeroCopy.NEVER, true, null));
    String text = meters.scrape();
    assertTrue(text.contains("vncgate_relay_info{mode=\"bulk-reads\",reason=\"server.zero-copy: never\",transport=\"epoll\"} 1"),
        text);
  }

  @Test
  void theModeFollowsTheSettingAndTheMachine() throws Exception {
    assertEquals(new RelayMode("nio", RelayMode.READS, "epoll not asked for"), RelayMode.of(ZeroCopy.ALWAYS, false, null));
    assertEquals(RelayMode.BULK_READS, RelayMode.of(ZeroCopy.NEVER, true, null).mode());
    // this machine: Linux with epoll, so JNA loads and `always` splices
    assertEquals(RelayMode.SPLICED, RelayMode.of(ZeroCopy.ALWAYS, true, null).mode());
    String cc = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")).trim();
    RelayMode auto = RelayMode.of(ZeroCopy.AUTO, true, null);
    assertEquals(cc.startsWith("bbr") ? RelayMode.BULK_READS : RelayMode.SPLICED, auto.mode(), auto.reason());
    assertTrue(auto.reason().contains(cc), auto.reason());
    assertTrue(auto.describe().startsWith("relay on Netty's epoll transport: large payloads are "), auto.describe());
  }
}
