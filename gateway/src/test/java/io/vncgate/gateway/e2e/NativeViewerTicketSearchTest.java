package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A native viewer's VNC response does not say which ticket it used, so the gateway tries every
 * live one. That search runs on a worker thread, never on the event loop that also relays other
 * viewers' bytes, and finds the one ticket among thousands.
 */
@Timeout(60)
class NativeViewerTicketSearchTest {
  @TempDir Path dir;

  @Test
  void theTicketIsFoundAmongThousandsOffTheEventLoop() throws Exception {
    WatchedTickets tickets = new WatchedTickets();
    UserPrincipal other = new UserPrincipal("bob", List.of(), Role.CONTROL, false);
    for (int i = 0; i < 3000; i++) {
      tickets.issue(new TicketGrant("c" + i, "s" + i, other, "static/elsewhere", Role.CONTROL, Instant.now().plusSeconds(60)));
    }
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(32, 16, "found").start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("d", desktop.port(), null), null, "10s", "", "", 0,
             tickets)) {
      String ticket = gw.ticket("static/d");
      try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
        assertEquals("found", viewer.handshakeVncAuth(ticket).name());
      }
      try (RfbTestClient guesser = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> guesser.handshakeVncAuth("guessing"));
        assertTrue(refused.reason().contains("not a valid ticket"), refused.reason());
      }
      assertEquals(2, tickets.searches.size(), "both logins searched the tickets");
      assertFalse(tickets.searches.contains(Boolean.TRUE), "a search ran on an event loop");
      assertEquals(3000, tickets.store.size(), "only the viewer's own ticket was used up");
    }
  }

  /** The real store, noting for each search whether it ran on an event loop. */
  private static final class WatchedTickets implements TicketStore {
    final InMemoryTicketStore store = new InMemoryTicketStore(Clock.systemUTC());
    final List<Boolean> searches = new CopyOnWriteArrayList<>();

    @Override
    public String issue(TicketGrant grant) {
      return store.issue(grant);
    }

    @Override
    public Optional<TicketGrant> redeem(String ticket) {
      return store.redeem(ticket);
    }

    @Override
    public Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response) {
      searches.add(Context.isOnEventLoopThread());
      return store.redeemVncResponse(challenge, response);
    }

    @Override
    public int liveTickets(String subject) {
      return store.liveTickets(subject);
    }
  }
}
