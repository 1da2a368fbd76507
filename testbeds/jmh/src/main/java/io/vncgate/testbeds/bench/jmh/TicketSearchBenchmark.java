package io.vncgate.testbeds.bench.jmh;

import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.rfb.VncAuth;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A native viewer's login by search: its VNC response is checked against every live ticket (the
 * response does not say which ticket was typed). One operation = one search that matches none,
 * the worst case (a wrong password, or the ticket checked last). Every login did this until the
 * ticket index ({@link TicketLoginBenchmark}); now only a response to a challenge more than an
 * epoch old does, on a worker thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TicketSearchBenchmark {
  @Param({"10", "1000", "10000"})
  public int liveTickets;

  private InMemoryTicketStore store;
  private byte[] challenge;
  private byte[] wrongResponse;

  @Setup
  public void setUp() {
    store = new InMemoryTicketStore(Clock.systemUTC());
    UserPrincipal user = new UserPrincipal("bench", List.of(), Role.CONTROL, false);
    for (int i = 0; i < liveTickets; i++) {
      store.issue(new TicketGrant("c" + i, "s" + i, user, "static/lab" + i, Role.CONTROL, Instant.now().plusSeconds(3600)));
    }
    challenge = VncAuth.newChallenge();
    wrongResponse = VncAuth.response(challenge, "nottaken".getBytes());
  }

  @Benchmark
  public Optional<TicketGrant> searchAllTickets() {
    return store.redeemVncResponse(challenge, wrongResponse);
  }
}
