package io.vncgate.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.InMemoryTicketStore.VncIndexStats;
import io.vncgate.gateway.rfb.VncAuth;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The native-login index: one challenge shared per epoch, a login found by one lookup (and one
 * DES) among thousands of live tickets, the previous epoch still indexed, anything older searched
 * for, one winner of racing redeems, expired tickets refused, the build never on an event loop.
 */
@Timeout(60)
class VncTicketIndexTest {
  private static final Duration EPOCH = InMemoryTicketStore.EPOCH;
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  private final InMemoryTicketStore store = new InMemoryTicketStore(clock);
  private final UserPrincipal alice = new UserPrincipal("alice", List.of(TargetGlob.of("static/*")), Role.CONTROL);

  private String issue(String target, Duration ttl) {
    return store.issue(new TicketGrant("c", "s", alice, target, Role.CONTROL, now.get().plus(ttl)));
  }

  private List<String> issueMany(int n) {
    List<String> tickets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) tickets.add(issue("static/t" + i, Duration.ofMinutes(5)));
    return tickets;
  }

  private static byte[] answer(byte[] challenge, String ticket) {
    return VncAuth.response(challenge, ticket.getBytes(StandardCharsets.US_ASCII)); // the viewer keeps 8 bytes
  }

  private void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  @Test
  void everyViewerOfAnEpochGetsTheSameChallengeAndEveryEpochANewOne() {
    byte[] first = store.vncChallenge();
    assertArrayEquals(first, store.vncChallenge());
    advance(EPOCH.minusMillis(1));
    assertArrayEquals(first, store.vncChallenge(), "still the same epoch");
    Set<String> seen = new HashSet<>(Set.of(HexFormat.of().formatHex(first)));
    for (int i = 0; i < 200; i++) {
      advance(EPOCH);
      assertTrue(seen.add(HexFormat.of().formatHex(store.vncChallenge())), "a challenge came back at rotation " + i);
    }
  }

  @Test
  void aLoginAmongTenThousandLiveTicketsIsOneLookupNotASearch() {
    List<String> tickets = issueMany(10_000);
    byte[] challenge = store.vncChallenge();
    for (int i = 0; i < 10_000; i += 199) {
      String t = tickets.get(i);
      assertEquals("static/t" + i, store.redeemVncResponse(challenge, answer(challenge, t)).orElseThrow().targetId());
      assertTrue(store.redeem(t).isEmpty(), "used up for the WebSocket front too");
    }
    assertTrue(store.redeemVncResponse(challenge, answer(challenge, "wrongpw1")).isEmpty());
    assertTrue(store.redeemVncResponse(challenge, answer(challenge, tickets.get(0))).isEmpty(), "one use only");
    assertEquals(new VncIndexStats(1, 0, 0), store.vncIndexStats(), "one index build, no search");
    assertEquals(10_000 - 51, store.size());
  }

  @Test
  void ticketsIssuedAfterTheIndexWasBuiltAreFoundThroughIt() {
    issueMany(100);
    byte[] challenge = store.vncChallenge();
    assertTrue(store.redeemVncResponse(challenge, answer(challenge, "wrongpw1")).isEmpty()); // builds the index
    String late = issue("static/late", Duration.ofSeconds(30));
    assertEquals("static/late", store.redeemVncResponse(challenge, answer(challenge, late)).orElseThrow().targetId());
    assertEquals(new VncIndexStats(1, 0, 0), store.vncIndexStats());
  }

  @Test
  void aResponseToThePreviousEpochsChallengeIsStillALookup() {
    issueMany(500);
    byte[] old = store.vncChallenge();
    advance(EPOCH.plusSeconds(1));
    byte[] fresh = store.vncChallenge();
    assertFalse(Arrays.equals(old, fresh), "a new epoch, a new challenge");
    // a ticket issued after the rotation still answers a viewer that got the old challenge before it
    String t = issue("static/slow", Duration.ofSeconds(30));
    advance(EPOCH.minusSeconds(2));
    assertEquals("static/slow", store.redeemVncResponse(old, answer(old, t)).orElseThrow().targetId());
    String u = issue("static/now", Duration.ofSeconds(30));
    assertEquals("static/now", store.redeemVncResponse(fresh, answer(fresh, u)).orElseThrow().targetId());
    VncIndexStats stats = store.vncIndexStats();
    assertEquals(0, stats.searches(), "no search: " + stats);
    assertEquals(2, stats.builds(), "one index per epoch: " + stats);
  }

  @Test
  void aResponseToAnOlderOrUnknownChallengeIsSearchedForAndStillWorks() {
    issueMany(300);
    byte[] old = store.vncChallenge();
    advance(EPOCH.multipliedBy(2).plusSeconds(1));
    store.vncChallenge(); // two epochs later: the old challenge is neither current nor previous
    String t = issue("static/typist", Duration.ofSeconds(30));
    assertEquals("static/typist", store.redeemVncResponse(old, answer(old, t)).orElseThrow().targetId());
    assertEquals(1, store.vncIndexStats().searches());

    byte[] never = VncAuth.newChallenge(); // not handed out by this store
    String u = issue("static/other", Duration.ofSeconds(30));
    assertTrue(store.redeemVncResponse(never, answer(never, "wrongpw1")).isEmpty());
    assertEquals("static/other", store.redeemVncResponse(never, answer(never, u)).orElseThrow().targetId());
    assertEquals(3, store.vncIndexStats().searches());
  }

  @Test
  void anExpiredTicketIsRefusedThroughTheIndex() {
    issueMany(50);
    String t = issue("static/short", Duration.ofSeconds(5));
    byte[] challenge = store.vncChallenge();
    advance(Duration.ofSeconds(6)); // still the same epoch
    assertArrayEquals(challenge, store.vncChallenge());
    assertTrue(store.redeemVncResponse(challenge, answer(challenge, t)).isEmpty());
    assertEquals(0, store.vncIndexStats().searches());
  }

  @Test
  void ofRacingRedeemsOfOneTicketExactlyOneWins() throws Exception {
    issueMany(1_000);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 100; round++) {
        String t = issue("static/race" + round, Duration.ofSeconds(30));
        byte[] challenge = store.vncChallenge();
        byte[] response = answer(challenge, t);
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<Optional<TicketGrant>>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          boolean viaWebSocket = i == 7; // the same ticket presented whole on the other front
          attempts.add(pool.submit(() -> {
            go.await();
            return viaWebSocket ? store.redeem(t) : store.redeemVncResponse(challenge, response);
          }));
        }
        go.countDown();
        int winners = 0;
        for (var a : attempts) winners += a.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0;
        assertEquals(1, winners, "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLoginIsAnsweredOnTheEventLoopOnceTheIndexIsBuiltAndTheBuildRunsOnAWorker() throws Exception {
    // no background build: the first login of the epoch has to build the index itself
    InMemoryTicketStore lazy = new InMemoryTicketStore(clock, task -> {});
    List<String> tickets = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      tickets.add(lazy.issue(new TicketGrant("c", "s", alice, "static/t" + i, Role.CONTROL, now.get().plusSeconds(60))));
    }
    Vertx vertx = Vertx.vertx();
    try {
      Context loop = vertx.getOrCreateContext();
      record Login(boolean onEventLoop, boolean answeredAtOnce, String target) {}
      List<Login> logins = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String t = tickets.get(i * 1000);
        CompletableFuture<Login> done = new CompletableFuture<>();
        loop.runOnContext(v -> {
          byte[] challenge = lazy.vncChallenge();
          boolean onLoop = Context.isOnEventLoopThread();
          Future<Optional<TicketGrant>> f = lazy.redeemVncLogin(vertx, challenge, answer(challenge, t));
          boolean atOnce = f.isComplete();
          f.onComplete(ar -> done.complete(new Login(onLoop, atOnce,
              ar.succeeded() ? ar.result().map(TicketGrant::targetId).orElse("none") : ar.cause().toString())));
        });
        logins.add(done.get(10, TimeUnit.SECONDS));
      }
      assertEquals(List.of(new Login(true, false, "static/t0"), new Login(true, true, "static/t1000"),
          new Login(true, true, "static/t2000")), logins);
      assertEquals(new VncIndexStats(1, 0, 0), lazy.vncIndexStats(), "built once, on a worker");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theIndexOfANewEpochIsBuiltInTheBackgroundNotByWhoeverAsksForTheChallenge() throws Exception {
    issueMany(2_000);
    List<Runnable> queued = new ArrayList<>();
    InMemoryTicketStore deferred = new InMemoryTicketStore(clock, queued::add);
    deferred.issue(new TicketGrant("c", "s", alice, "static/x", Role.CONTROL, now.get().plusSeconds(60)));
    deferred.vncChallenge();
    deferred.vncChallenge();
    assertEquals(1, queued.size(), "one build per epoch, handed to the builder");
    assertEquals(0, deferred.vncIndexStats().builds(), "vncChallenge() itself built nothing");
    queued.get(0).run();
    assertEquals(1, deferred.vncIndexStats().builds());
  }
}
