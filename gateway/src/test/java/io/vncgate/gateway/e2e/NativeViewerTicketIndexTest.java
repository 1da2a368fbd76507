package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.InMemoryTicketStore.VncIndexStats;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native viewers log in on the TCP front with their ticket as VNC password while 5,000 other
 * tickets are live: they all get the epoch's shared challenge, each login is a lookup in the
 * ticket index (no search of the live tickets), the index is never built on an event loop, and
 * once it is built a login is answered on the event loop without a worker hop. Through to a real,
 * password-protected Xvnc.
 */
@Timeout(90)
class NativeViewerTicketIndexTest {
  private static final int OTHER_TICKETS = 5_000;
  private static final int VIEWERS = 12;
  @TempDir Path dir;

  @Test
  void viewersLogInByOneLookupAmongThousandsOfLiveTickets() throws Exception {
    XvncServer.require();
    WatchedTickets tickets = new WatchedTickets();
    UserPrincipal bob = new UserPrincipal("bob", List.of(), Role.CONTROL, false);
    for (int i = 0; i < OTHER_TICKETS; i++) {
      tickets.issue(new TicketGrant("c" + i, "s" + i, bob, "static/elsewhere", Role.CONTROL, Instant.now().plusSeconds(120)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(VIEWERS);
    try (XvncServer desktop = XvncServer.builder().geometry(160, 100).desktopName("indexed").password("lab-pw-9")
             .blacklist(false).start();
         GatewayHarness gw = new GatewayHarness(dir, GatewayHarness.target("d", desktop.port(),
             desktop.passwordFile().toString()), null, "10s", "", "", 0, tickets)) {
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < VIEWERS; i++) mine.add(gw.ticket("static/d"));

      // a burst: all viewers at once
      List<java.util.concurrent.Future<String>> burst = new ArrayList<>();
      for (String t : mine) {
        burst.add(pool.submit(() -> {
          try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
            return viewer.handshakeVncAuth(t).name();
          }
        }));
      }
      for (var login : burst) assertEquals("indexed", login.get(60, TimeUnit.SECONDS));

      // once the epoch's index is built a login is answered on the event loop at once (the burst's
      // first logins may have waited for the build on a worker; a second try covers an epoch that
      // turned just now and whose index is being built)
      Login last = null;
      for (int attempt = 0; attempt < 3 && (last == null || !last.answeredAtOnce()); attempt++) {
        try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
          assertEquals("indexed", viewer.handshakeVncAuth(gw.ticket("static/d")).name());
          viewer.sendFramebufferUpdateRequest(false, 0, 0, 160, 100);
          Framebuffer fb = viewer.readFramebufferUpdateRaw();
          assertEquals(160, fb.width(), "the relay works after the login");
        }
        last = tickets.logins.get(tickets.logins.size() - 1);
      }
      assertTrue(last.onEventLoop() && last.answeredAtOnce(), "a login after the build is a lookup on the event loop: " + last);

      try (RfbTestClient guesser = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> guesser.handshakeVncAuth("guessing"));
        assertTrue(refused.reason().contains("not a valid ticket"), refused.reason());
      }

      assertTrue(tickets.logins.size() >= VIEWERS + 2, "every login went to the store: " + tickets.logins.size());
      assertTrue(tickets.logins.stream().allMatch(Login::onEventLoop), "logins are handed over on the event loop");
      long burstChallenges = tickets.logins.subList(0, VIEWERS).stream().map(Login::challenge).distinct().count();
      assertTrue(burstChallenges <= 2, "the burst shared one challenge (two if the epoch turned): " + tickets.logins);
      assertTrue(tickets.logins.stream().allMatch(l -> tickets.challenges.contains(l.challenge())),
          "every viewer answered a challenge the store handed out");
      VncIndexStats stats = tickets.store.vncIndexStats();
      assertEquals(0, stats.searches(), "no login searched the " + OTHER_TICKETS + " live tickets: " + stats);
      assertEquals(0, stats.buildsOnEventLoop(), "no index was built on an event loop: " + stats);
      assertTrue(stats.builds() >= 1 && stats.builds() <= tickets.challenges.size(), "one build per epoch: " + stats);
      assertEquals(OTHER_TICKETS, tickets.store.size(), "only the viewers' own tickets were used up");
    } finally {
      pool.shutdownNow();
    }
  }

  /** One login as the gateway handed it to the store. */
  record Login(String challenge, boolean onEventLoop, boolean answeredAtOnce) {}

  /** The real store, noting the challenges it hands out and, per login, the thread and whether it needed a worker. */
  private static final class WatchedTickets implements TicketStore {
    final InMemoryTicketStore store = new InMemoryTicketStore(Clock.systemUTC());
    final Set<String> challenges = ConcurrentHashMap.newKeySet();
    final List<Login> logins = new CopyOnWriteArrayList<>();

    @Override
    public String issue(TicketGrant grant) {
      return store.issue(grant);
    }

    @Override
    public Optional<TicketGrant> redeem(String ticket) {
      return store.redeem(ticket);
    }

    @Override
    public byte[] vncChallenge() {
      byte[] c = store.vncChallenge();
      challenges.add(HexFormat.of().formatHex(c));
      return c;
    }

    @Override
    public Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response) {
      throw new AssertionError("the gateway redeems native logins through redeemVncLogin");
    }

    @Override
    public Future<Optional<TicketGrant>> redeemVncLogin(Vertx vertx, byte[] challenge, byte[] response) {
      boolean onLoop = Context.isOnEventLoopThread();
      Future<Optional<TicketGrant>> f = store.redeemVncLogin(vertx, challenge, response);
      logins.add(new Login(HexFormat.of().formatHex(challenge), onLoop, f.isComplete()));
      return f;
    }

    @Override
    public int liveTickets(String subject) {
      return store.liveTickets(subject);
    }
  }
}
