package io.vncgate.testbeds.bench.jmh;

import io.vncgate.gateway.auth.InMemoryTicketStore;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.rfb.VncAuth;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The CPU time (of the calling thread, so other processes on a busy machine do not count) of a
 * native login with 10, 1,000 and 10,000 live tickets: the redeem of a live ticket's response and
 * of a wrong password, answered to the store's shared challenge (the index) and to a fresh
 * challenge per login (the search every login did before the index; still the path of an answer
 * more than an epoch late). Companion to {@link TicketLoginBenchmark}, whose wall-clock figures
 * swing with the machine's load.
 *
 * <pre>java -cp testbeds/jmh/target/benchmarks.jar io.vncgate.testbeds.bench.jmh.TicketLoginCpuTime [seconds per case]</pre>
 */
public final class TicketLoginCpuTime {
  private TicketLoginCpuTime() {}

  public static void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    TicketGrant grant = new TicketGrant("c", "s", new UserPrincipal("bench", List.of(), Role.CONTROL, false),
        "static/lab", Role.CONTROL, Instant.now().plusSeconds(3600));
    System.out.println("live tickets | path | login µs CPU | wrong password µs CPU | logins measured");
    warmUp(grant);
    for (boolean indexed : new boolean[] {false, true}) {
      for (int live : new int[] {10, 1_000, 10_000}) {
        InMemoryTicketStore store = new InMemoryTicketStore(Clock.systemUTC());
        for (int i = 0; i < live; i++) store.issue(grant);
        long loginNs = 0;
        long wrongNs = 0;
        long n = 0;
        long start = System.nanoTime();
        long warm = start + Math.min(2, seconds) * 1_000_000_000L / 2;
        long until = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < until) {
          byte[] challenge = indexed ? store.vncChallenge() : VncAuth.newChallenge();
          byte[] right = VncAuth.response(challenge, store.issue(grant).getBytes(StandardCharsets.US_ASCII));
          byte[] wrong = VncAuth.response(challenge, "nottaken".getBytes(StandardCharsets.US_ASCII));
          long t0 = mx.getCurrentThreadCpuTime();
          boolean found = store.redeemVncResponse(challenge, right).isPresent();
          long t1 = mx.getCurrentThreadCpuTime();
          boolean wrongFound = store.redeemVncResponse(challenge, wrong).isPresent();
          long t2 = mx.getCurrentThreadCpuTime();
          if (!found || wrongFound) throw new IllegalStateException("the store answered wrongly");
          if (System.nanoTime() > warm) { // the first second (at most) warms the JIT up
            loginNs += t1 - t0;
            wrongNs += t2 - t1;
            n++;
          }
        }
        System.out.printf("%,d | %s | %.1f | %.1f | %,d%n", live, indexed ? "index" : "search",
            n == 0 ? 0 : loginNs / 1e3 / n, n == 0 ? 0 : wrongNs / 1e3 / n, n);
      }
    }
  }

  /** Both paths for a few seconds on a small store, so that the first case is not the one that warms the JIT. */
  private static void warmUp(TicketGrant grant) {
    InMemoryTicketStore store = new InMemoryTicketStore(Clock.systemUTC());
    for (int i = 0; i < 100; i++) store.issue(grant);
    long until = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < until) {
      for (byte[] challenge : List.of(store.vncChallenge(), VncAuth.newChallenge())) {
        store.redeemVncResponse(challenge, VncAuth.response(challenge, store.issue(grant).getBytes(StandardCharsets.US_ASCII)));
      }
    }
  }
}
