package io.vncgate.testbeds.bench.jmh;

import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.rfb.VncAuth;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A native viewer's login through the ticket index ({@link InMemoryTicketStore}): every viewer of
 * an epoch answers the same challenge, and the store finds the ticket by the response.
 * {@code login}: a live ticket's response, one lookup plus one DES, the ticket taken (a fresh
 * ticket is issued before each invocation, outside the measurement). {@code wrongPassword}: a
 * response no live ticket gives, one lookup. {@code epochIndexBuild}: a new epoch and its index
 * (one DES per live ticket), paid once per 10 s epoch in which native viewers log in.
 * {@link TicketSearchBenchmark} is the search this replaces (still used for a challenge more than
 * an epoch old).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TicketLoginBenchmark {
  @Param({"10", "1000", "10000"})
  public int liveTickets;

  private final UserPrincipal user = new UserPrincipal("bench", List.of(), Role.CONTROL, false);
  private final MovableClock clock = new MovableClock();
  private InMemoryTicketStore store;
  private byte[] challenge;
  private byte[] wrongResponse;

  /** The store's clock; moved by {@code epochIndexBuild} only, so the other benchmarks stay in one epoch. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }

  @Setup
  public void setUp() {
    store = new InMemoryTicketStore(clock);
    for (int i = 0; i < liveTickets; i++) issue();
    challenge = store.vncChallenge();
    wrongResponse = VncAuth.response(challenge, "nottaken".getBytes(StandardCharsets.US_ASCII));
    store.redeemVncResponse(challenge, wrongResponse); // the index is built
  }

  private String issue() {
    return store.issue(new TicketGrant("c", "s", user, "static/lab", Role.CONTROL, Instant.parse("2100-01-01T00:00:00Z")));
  }

  /** A fresh live ticket before each login, so the store holds {@code liveTickets} + 1 during it. */
  @State(Scope.Thread)
  public static class NextTicket {
    byte[] response;

    @Setup(Level.Invocation)
    public void issue(TicketLoginBenchmark b) {
      response = VncAuth.response(b.challenge, b.issue().getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Benchmark
  public Optional<TicketGrant> login(NextTicket next) {
    return store.redeemVncResponse(challenge, next.response);
  }

  @Benchmark
  public Optional<TicketGrant> wrongPassword() {
    return store.redeemVncResponse(challenge, wrongResponse);
  }

  @Benchmark
  public Optional<TicketGrant> epochIndexBuild() {
    clock.now = clock.now.plus(InMemoryTicketStore.EPOCH);
    challenge = store.vncChallenge();
    return store.redeemVncResponse(challenge, wrongResponse);
  }
}
