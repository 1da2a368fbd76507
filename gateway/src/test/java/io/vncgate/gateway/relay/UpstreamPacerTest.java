package io.vncgate.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Limits;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pacer's rules, socket-free: attempts are promises the test completes as a target would answer. */
@Timeout(30)
class UpstreamPacerTest {
  private final Vertx vertx = Vertx.vertx();
  private static final TargetRoute ROUTE = new TargetRoute(new Route.Tcp("127.0.0.1", 5901), new Credentials.None(),
      Limits.DEFAULTS);
  private static final GatewayException BLOCKED = new GatewayException(Status.UPSTREAM_FAILED, "blocked");

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  /** One viewer's attempts, each a promise the test answers. */
  final class Viewer {
    final List<Promise<String>> attempts = new CopyOnWriteArrayList<>();
    final List<UpstreamPacer.QueueState> states = new CopyOnWriteArrayList<>();
    UpstreamPacer.Turn<String> turn;

    Viewer(UpstreamPacer pacer, long deadlineMs) throws Exception {
      this(pacer, deadlineMs, ROUTE);
    }

    Viewer(UpstreamPacer pacer, long deadlineMs, TargetRoute route) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
      // from an event loop, as ViewerConnection calls it
      Promise<UpstreamPacer.Turn<String>> p = Promise.promise();
      vertx.runOnContext(v -> p.complete(pacer.run("static/lab", route, deadline, states::add, e -> e == BLOCKED, () -> {
        Promise<String> attempt = Promise.promise();
        attempts.add(attempt);
        return attempt.future();
      })));
      turn = p.future().await(5, TimeUnit.SECONDS);
    }

    Future<String> result() {
      return turn.future();
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("not within 5 s: " + what);
      Thread.sleep(5);
    }
  }

  static int started(List<Viewer> viewers) {
    return viewers.stream().mapToInt(v -> v.attempts.size()).sum();
  }

  @Test
  void atMostNInFlightStartInArrivalOrderAndWaitersLearnTheirPlace() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(2, 100, 5, Duration.ofSeconds(10)));
    List<Viewer> v = new ArrayList<>();
    for (int i = 0; i < 5; i++) v.add(new Viewer(pacer, 10_000));
    await(() -> started(v) == 2, "two started");
    Thread.sleep(100);
    assertEquals(2, started(v), "no third while two are in flight");
    assertEquals(1, v.get(0).attempts.size());
    assertEquals(1, v.get(1).attempts.size());
    await(() -> !v.get(4).states.isEmpty(), "the last one told its place");
    assertEquals(new UpstreamPacer.QueueState(3, 3, 0), v.get(4).states.get(v.get(4).states.size() - 1));
    assertEquals(3, pacer.queued());
    v.get(0).attempts.get(0).complete("ok");
    await(() -> v.get(2).attempts.size() == 1, "the next in line started");
    assertEquals(0, v.get(3).attempts.size());
    assertEquals("ok", v.get(0).result().await(5, TimeUnit.SECONDS));
    await(() -> v.get(4).states.get(v.get(4).states.size() - 1).position() == 2, "moved up");
  }

  @Test
  void connectionsTheTargetStillCountsStopAtThresholdLessOneThenOneAloneUntilASuccess() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(10, 100, 3, Duration.ofSeconds(10)));
    List<Viewer> v = new ArrayList<>();
    for (int i = 0; i < 6; i++) v.add(new Viewer(pacer, 10_000));
    await(() -> started(v) == 2, "threshold 3: two uncounted connections at most");
    Thread.sleep(100);
    assertEquals(2, started(v));
    // both fail without authenticating (the viewers left): the target still counts them
    v.get(0).attempts.get(0).fail(new GatewayException(Status.UPSTREAM_FAILED, "closed"));
    Thread.sleep(100);
    assertEquals(2, started(v), "one still in flight: nothing new");
    v.get(1).attempts.get(0).fail(new GatewayException(Status.UPSTREAM_FAILED, "closed"));
    await(() -> started(v) == 3, "nothing in flight: one alone");
    Thread.sleep(100);
    assertEquals(3, started(v), "only one");
    v.get(2).attempts.get(0).complete("ok"); // authenticated: the target forgot the marks
    await(() -> started(v) == 5, "two again after a success");
  }

  @Test
  void aBlacklistedAttemptPausesTheTargetThenOneProbeAndTheViewerKeepsItsPlace() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(3, 100, 5, Duration.ofMillis(1500)));
    Viewer a = new Viewer(pacer, 20_000);
    await(() -> a.attempts.size() == 1, "a started");
    Viewer b = new Viewer(pacer, 20_000);
    await(() -> b.attempts.size() == 1, "b started");
    a.attempts.get(0).fail(BLOCKED);
    b.attempts.get(0).fail(BLOCKED); // started before the pause: no second backoff
    Viewer c = new Viewer(pacer, 20_000);
    await(() -> !c.states.isEmpty() && !a.states.isEmpty(), "told");
    assertEquals(1, pacer.backoffs());
    assertTrue(c.states.get(c.states.size() - 1).retryInSeconds() > 0, c.states.toString());
    assertEquals(0, c.attempts.size(), "nothing opened during the pause");
    await(() -> a.attempts.size() == 2 || b.attempts.size() == 2, "one probe after the backoff");
    Thread.sleep(200);
    assertEquals(3, a.attempts.size() + b.attempts.size() + c.attempts.size(), "only the probe");
    Promise<String> probe = a.attempts.size() == 2 ? a.attempts.get(1) : b.attempts.get(1);
    probe.complete("ok");
    await(() -> a.attempts.size() + b.attempts.size() + c.attempts.size() == 5, "all resume after the probe got in");
    assertEquals(1, c.attempts.size(), "c kept its place behind the refused ones");
  }

  @Test
  void aViewerWhoseTimeEndsBeforeTheBlockIsToldAtOnceInWordsThatAreNotAboutThePassword() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(3, 100, 5, Duration.ofSeconds(10)));
    Viewer a = new Viewer(pacer, 3_000);
    await(() -> a.attempts.size() == 1, "started");
    a.attempts.get(0).fail(BLOCKED);
    Throwable e = a.result().transform(ar -> Future.succeededFuture(ar.cause())).await(2, TimeUnit.SECONDS);
    UpstreamPacer.Refusal r = assertInstanceOf(UpstreamPacer.Refusal.class, e);
    assertEquals(Outcome.ADDRESS_BLOCKED, r.outcome());
    assertEquals(Status.UNAVAILABLE, r.status());
    assertTrue(r.getMessage().matches("target static/lab is refusing the gateway for now: .* This is not your password or"
        + " the stored one; the gateway tries again in (9|10) s: reconnect then"), r.getMessage());
    // a later viewer waits behind the pause; when its time runs out it is told the same
    Viewer b = new Viewer(pacer, 3_000);
    Thread.sleep(200);
    String told = b.turn.cancel();
    assertTrue(told.startsWith("target static/lab is refusing the gateway for now"), told);
    assertEquals(0, b.attempts.size());
    assertEquals(0, pacer.queued());
  }

  @Test
  void aFullQueueRefusesAtOnceAndAViewerLeavingTheQueueIsToldHowLongItWaited() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(1, 2, 5, Duration.ofSeconds(10)));
    Viewer a = new Viewer(pacer, 10_000);
    Viewer b = new Viewer(pacer, 10_000);
    Viewer c = new Viewer(pacer, 10_000);
    Viewer d = new Viewer(pacer, 10_000);
    Throwable e = d.result().transform(ar -> Future.succeededFuture(ar.cause())).await(2, TimeUnit.SECONDS);
    assertEquals(Outcome.QUEUE_FULL, assertInstanceOf(UpstreamPacer.Refusal.class, e).outcome());
    assertTrue(e.getMessage().contains("has 2 viewers waiting for it already") && e.getMessage().contains("limits.upstream.queue-per-target"),
        e.getMessage());
    String told = c.turn.cancel();
    assertTrue(told.matches("waited \\d+ s for target static/lab behind 1 other viewer \\(the gateway opens at most 1 connections"
        + " to a target at a time: limits.upstream.handshakes-per-target\\); try again"), told);
    assertNull(a.turn.cancel(), "in flight, not waiting: no queue words (its slot is freed)");
    await(() -> b.attempts.size() == 1, "b's turn");
  }

  @Test
  void aTargetLeftIdleWithEveryConnectionLoggedInIsForgottenOneWithAFailedAttemptIsNot() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(2, 100, 5, Duration.ofSeconds(10)));
    Viewer ok = new Viewer(pacer, 10_000);
    await(() -> ok.attempts.size() == 1, "the attempt starts");
    assertEquals(1, pacer.lanes());
    ok.attempts.get(0).complete("in");
    assertEquals("in", ok.result().await(2, TimeUnit.SECONDS));
    await(() -> pacer.lanes() == 0, "the idle lane is retired");

    Viewer failing = new Viewer(pacer, 10_000);
    await(() -> failing.attempts.size() == 1, "the attempt starts");
    failing.attempts.get(0).fail(new GatewayException(Status.UPSTREAM_FAILED, "refused"));
    failing.result().transform(ar -> Future.succeededFuture()).await(2, TimeUnit.SECONDS);
    Thread.sleep(50);
    // the target still counts that connection against the gateway's address: remembered
    assertEquals(1, pacer.lanes());
    Viewer next = new Viewer(pacer, 10_000);
    await(() -> next.attempts.size() == 1, "a later viewer uses the same lane");
    next.attempts.get(0).complete("in");
    next.result().await(2, TimeUnit.SECONDS);
    await(() -> pacer.lanes() == 0, "cleared by a login, then retired");
  }

  @Test
  void aProviderMayLowerTheConnectionsAtOnceForItsTarget() throws Exception {
    UpstreamPacer pacer = new UpstreamPacer(vertx, new GatewayConfig.Pacing(3, 100, 5, Duration.ofSeconds(10)));
    TargetRoute oneAtATime = new TargetRoute(new Route.Tcp("127.0.0.1", 5902), new Credentials.None(),
        Limits.DEFAULTS.withHandshakesAtOnce(1));
    List<Viewer> v = new ArrayList<>();
    for (int i = 0; i < 3; i++) v.add(new Viewer(pacer, 10_000, oneAtATime));
    await(() -> started(v) == 1, "one attempt starts");
    Thread.sleep(100);
    assertEquals(1, started(v), "the others wait: the provider allows one at a time");
    v.get(0).attempts.get(0).complete("in");
    await(() -> started(v) == 2, "the next starts when the first is done");
  }
}
