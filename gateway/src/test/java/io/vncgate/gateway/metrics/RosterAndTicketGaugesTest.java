package io.vncgate.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vncgate.gateway.audit.AuditLog;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TargetGlob;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.session.LocalSessionRegistry;
import io.vncgate.gateway.session.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gauges the soak check (testbeds/soak/run) compares before and after: live tickets, and the
 * roster's sessions and viewer places including reservations for tickets not used yet, which
 * {@code vncgate_sessions}/{@code vncgate_viewers} (connected viewers only) do not show.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RosterAndTicketGaugesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void ticketsAndReservationsAreCountedUntilRedeemedOrExpired() throws Exception {
    Instant[] now = {Instant.now()};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    InMemoryTicketStore tickets = new InMemoryTicketStore(clock);
    Duration ttl = Duration.ofMillis(200);
    LocalSessionRegistry sessions = new LocalSessionRegistry(vertx, ttl, AuditLog.toLog());
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new GatewayMetrics(meters, sessions, tickets);
    assertGauges(meters, 0, 0, 0);

    UserPrincipal alice = new UserPrincipal("alice", List.of(TargetGlob.of("static/*")), Role.CONTROL);
    SessionRegistry.Reservation a = sessions.reserve("static/lab", "alice", Role.CONTROL);
    String used = tickets.issue(new TicketGrant(a.viewerId(), a.sessionId(), alice, "static/lab", Role.CONTROL, now[0].plus(ttl)));
    SessionRegistry.Reservation b = sessions.reserve("static/lab", "alice", Role.VIEW);
    tickets.issue(new TicketGrant(b.viewerId(), b.sessionId(), alice, "static/lab", Role.VIEW, now[0].plus(ttl)));
    assertGauges(meters, 2, 1, 2); // one session, two reserved places, none connected
    assertTrue(meters.scrape().contains("vncgate_sessions 0.0"), "vncgate_sessions counts connected viewers only");

    assertTrue(tickets.redeem(used).isPresent());
    assertGauges(meters, 1, 1, 2); // the place stays reserved until the connection joins or the reservation ends
    now[0] = now[0].plus(ttl); // the other ticket expires unused
    assertGauges(meters, 0, 1, 2);

    // unused reservations end ticket TTL + 5 s after they were made (LocalSessionRegistry)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (gauge(meters, "vncgate_roster_viewers") > 0 && System.nanoTime() < deadline) Thread.sleep(100);
    assertGauges(meters, 0, 0, 0);
  }

  private static void assertGauges(PrometheusMeterRegistry meters, double tickets, double sessions, double places) {
    String text = meters.scrape();
    assertEquals(tickets, gauge(meters, "vncgate_tickets_live"), text);
    assertEquals(sessions, gauge(meters, "vncgate_roster_sessions"), text);
    assertEquals(places, gauge(meters, "vncgate_roster_viewers"), text);
  }

  private static double gauge(PrometheusMeterRegistry meters, String name) {
    for (String line : meters.scrape().split("\n")) {
      if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1));
    }
    throw new AssertionError(name + " is not in /metrics");
  }
}
