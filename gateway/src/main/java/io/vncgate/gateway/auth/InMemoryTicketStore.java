package io.vncgate.gateway.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vncgate.gateway.rfb.VncAuth;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tickets in this process's memory. A ticket is 32 characters from [A-Za-z0-9] (about 190 bits);
 * its first 8 characters (about 47 bits) are unique among live tickets because VNC
 * authentication, which native viewers use to present a ticket, only looks at 8 bytes.
 *
 * <h2>Native logins: one shared challenge per epoch, tickets indexed by response</h2>
 *
 * A VNC response ({@code DES(key = first 8 password bytes, challenge)}) does not say which ticket
 * was typed. With a fresh challenge per connection the only way to find it is to try every live
 * ticket (one DES each: 10,000 live tickets cost about 10 ms per login). So every native viewer
 * that connects within one {@link #EPOCH epoch} of 10 s gets the same random challenge
 * ({@link #vncChallenge}), and the store keeps, for the current and the previous epoch, a map
 * from the response each live ticket would give to that ticket. A login is then one hash lookup
 * plus one DES with the found ticket's key (the confirmation, compared in constant time).
 *
 * <ul>
 *   <li>An epoch starts when its challenge is first handed out (an idle store makes none) and is
 *       handed out for {@link #EPOCH}; a new epoch always gets a new random challenge, never an
 *       earlier one. A response is looked up while its epoch is the current or the previous one:
 *       a viewer that answers within one epoch of its challenge (a program, a pasted password) is
 *       always a lookup.
 *   <li>Building an epoch's index costs one DES per live ticket. It starts on a background thread
 *       ({@code vncgate-ticket-index}) when the epoch starts; a response that arrives before it is
 *       done waits for it on a worker thread ({@link #redeemVncLogin}), never on an event loop.
 *       Tickets issued later are added to the built indexes as they are issued (one DES per
 *       epoch); redeemed and expired ones stay until the epoch ends but no longer lead to a ticket.
 *   <li>A response to any other challenge (a person who took longer than an epoch to type the
 *       password, or a challenge this store never handed out) is searched for as before, on a
 *       worker thread. It is not refused: the viewer's own handshake timeout already bounds how
 *       old its challenge can be, and refusing would turn a slow typist away.
 * </ul>
 *
 * <p>What sharing the challenge changes (docs/security.md, "Native viewers: the shared
 * challenge"): a response sniffed on the plaintext TCP front could be replayed by another
 * connection that was handed the same challenge, i.e. one opened in the same epoch. Tickets are
 * one-shot and the store takes a ticket atomically on the first matching response, so a replay
 * only succeeds when the gateway did not act on the original response (a viewer refused before
 * the lookup, by the per-address guess limit) or an on-path attacker suppressed it, who could
 * relay plain VNC authentication anyway. Precomputation gains nothing: a challenge is
 * unpredictable before its epoch and lives seconds, and what an offline search on many responses
 * to one challenge recovers are 8-character prefixes of tickets already used (the WebSocket front
 * wants all 32 characters). An online guess still tests one password against all live tickets,
 * as with a fresh challenge per connection.
 */
public final class InMemoryTicketStore implements TicketStore {
  static final int LENGTH = 32;
  static final int VNC_PREFIX = 8;
  /** How long one VNC challenge is handed out; a response to it is looked up for up to twice this. */
  public static final Duration EPOCH = Duration.ofSeconds(10);
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  /** Builds epoch indexes ahead of the first response; one daemon thread, gone when idle. */
  private static final Executor INDEX_BUILDER = indexBuilder();

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> byPrefix = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Executor indexBuilder;
  private final LongAdder builds = new LongAdder();
  private final LongAdder buildsOnEventLoop = new LongAdder();
  private final LongAdder searches = new LongAdder();
  /** issue() prunes at most once a second: a prune walks every live ticket. */
  private volatile Instant nextPrune = Instant.MIN;
  // rotation writes previous before current; lookups read current before previous (see indexed())
  private volatile Epoch current;
  private volatile Epoch previous;

  /** {@code vncKey}: the DES key of the ticket's VNC password (its first 8 characters), made once at issue. */
  private record Entry(String prefix, String ticket, TicketGrant grant, byte[] vncKey) {}

  /** A 16-byte VNC response as a map key. */
  private record Response(long high, long low) {
    static Response of(byte[] response16) {
      ByteBuffer b = ByteBuffer.wrap(response16);
      return new Response(b.getLong(), b.getLong());
    }
  }

  /** How the native-login index has been used, for tests and benchmarks. */
  public record VncIndexStats(long builds, long buildsOnEventLoop, long searches) {}

  public InMemoryTicketStore(Clock clock) {
    this(clock, INDEX_BUILDER);
  }

  /** {@code indexBuilder}: where an epoch's index starts being built when the epoch starts. */
  InMemoryTicketStore(Clock clock, Executor indexBuilder) {
    this.clock = clock;
    this.indexBuilder = indexBuilder;
  }

  @Override
  public String issue(TicketGrant grant) {
    Instant now = now();
    if (!now.isBefore(nextPrune)) {
      nextPrune = now.plusSeconds(1);
      prune();
    }
    while (true) {
      String ticket = randomText(LENGTH);
      String prefix = ticket.substring(0, VNC_PREFIX);
      Entry entry = new Entry(prefix, ticket, grant, VncAuth.desKey(prefix.getBytes(StandardCharsets.US_ASCII)));
      if (byPrefix.putIfAbsent(prefix, entry) == null) {
        // after the put: an index published before this read gets the entry here, one published
        // after it finds the entry when it iterates (both sides are volatile: one sees the other)
        Epoch c = current;
        Epoch p = previous;
        if (c != null) c.add(entry);
        if (p != null) p.add(entry);
        return ticket;
      }
    }
  }

  @Override
  public Optional<TicketGrant> redeem(String ticket) {
    if (ticket == null || ticket.length() != LENGTH) return Optional.empty();
    String prefix = ticket.substring(0, VNC_PREFIX);
    Entry e = byPrefix.get(prefix);
    if (e == null || !MessageDigest.isEqual(
        e.ticket.getBytes(StandardCharsets.US_ASCII), ticket.getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    return take(e);
  }

  /** The current epoch's challenge; starts a new epoch (and its index build) when the last one is over. */
  @Override
  public byte[] vncChallenge() {
    Epoch epoch;
    boolean started = false;
    synchronized (this) {
      Instant now = now();
      epoch = current;
      if (epoch == null || !now.isBefore(epoch.start.plus(EPOCH))) {
        previous = epoch != null && epoch.indexedAt(now) ? epoch : null;
        epoch = new Epoch(VncAuth.newChallenge(), now);
        current = epoch;
        started = true;
      }
    }
    if (started) indexBuilder.execute(epoch::build);
    return epoch.challenge.clone();
  }

  /** A lookup when the challenge is the current or previous epoch's (waiting for its index if need be), else a search. */
  @Override
  public Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response) {
    VncAuth.ResponseCheck check = VncAuth.check(challenge, response);
    if (check == null) return Optional.empty();
    Epoch epoch = indexed(challenge);
    return epoch != null ? epoch.redeem(check, response) : search(check);
  }

  /** On the calling thread when the challenge's index is built (a lookup and one DES); else on a worker. */
  @Override
  public Future<Optional<TicketGrant>> redeemVncLogin(Vertx vertx, byte[] challenge, byte[] response) {
    VncAuth.ResponseCheck check = VncAuth.check(challenge, response);
    if (check == null) return Future.succeededFuture(Optional.empty());
    Epoch epoch = indexed(challenge);
    if (epoch != null && epoch.ready) {
      try {
        return Future.succeededFuture(epoch.redeem(check, response));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> epoch != null ? epoch.redeem(check, response) : search(check), false);
  }

  /** The epoch (current or previous) whose challenge this is, or null. */
  private Epoch indexed(byte[] challenge) {
    Epoch c = current;
    if (c != null && c.answers(challenge)) return c;
    Epoch p = previous;
    return p != null && p.answers(challenge) ? p : null;
  }

  /** Tries every live ticket (a DES encryption each, about a microsecond): never on an event loop. */
  private Optional<TicketGrant> search(VncAuth.ResponseCheck check) {
    searches.increment();
    for (Entry e : byPrefix.values()) {
      if (check.answeredBy(e.vncKey)) {
        return take(e);
      }
    }
    return Optional.empty();
  }

  private Optional<TicketGrant> take(Entry e) {
    // remove(key, value) is atomic: of two racing redeemers exactly one wins
    if (!byPrefix.remove(e.prefix, e)) return Optional.empty();
    if (!e.grant.expiresAt().isAfter(now())) return Optional.empty();
    return Optional.of(e.grant);
  }

  @Override
  public int liveTickets(String subject) {
    Instant now = now();
    int n = 0;
    for (Entry e : byPrefix.values()) {
      if (e.grant.user().subject().equals(subject) && e.grant.expiresAt().isAfter(now)) n++;
    }
    return n;
  }

  @Override
  public int live() {
    return size();
  }

  /** Live tickets, for metrics and tests. */
  public int size() {
    prune();
    return byPrefix.size();
  }

  public VncIndexStats vncIndexStats() {
    return new VncIndexStats(builds.sum(), buildsOnEventLoop.sum(), searches.sum());
  }

  /** Drops expired tickets, and epoch indexes no response will be looked up in any more. */
  private void prune() {
    Instant now = now();
    byPrefix.values().removeIf(e -> !e.grant.expiresAt().isAfter(now));
    if ((current != null && !current.indexedAt(now)) || (previous != null && !previous.indexedAt(now))) {
      synchronized (this) {
        if (previous != null && !previous.indexedAt(now)) previous = null;
        if (current != null && !current.indexedAt(now)) current = null;
      }
    }
  }

  private Instant now() {
    return clock.instant();
  }

  private String randomText(int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    return new String(out);
  }

  private static Executor indexBuilder() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "vncgate-ticket-index");
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * One challenge and, once built, the response every live ticket would give to it, mapped to the
   * ticket's prefix (its key: a prefix freed and issued again gives the same response, and the
   * lookup finds whichever ticket holds the prefix now).
   */
  private final class Epoch {
    final byte[] challenge;
    final Instant start;
    /** Published before it is filled, so that tickets issued meanwhile are added to it (see issue()). */
    private volatile Map<Response, String> index;
    private volatile boolean ready;

    Epoch(byte[] challenge, Instant start) {
      this.challenge = challenge;
      this.start = start;
    }

    boolean answers(byte[] c) {
      return Arrays.equals(challenge, c);
    }

    /** Whether a response to this challenge is still looked up in its index at {@code t}. */
    boolean indexedAt(Instant t) {
      return t.isBefore(start.plus(EPOCH.multipliedBy(2)));
    }

    /** One DES per live ticket; once (later calls wait for the first, then return). */
    void build() {
      if (ready) return;
      synchronized (this) {
        if (ready) return;
        if (Context.isOnEventLoopThread()) buildsOnEventLoop.increment();
        Map<Response, String> m = new ConcurrentHashMap<>(Math.max(16, byPrefix.size() * 2));
        index = m;
        VncAuth.ChallengeCipher des = VncAuth.encrypting(challenge);
        byte[] out = new byte[VncAuth.CHALLENGE_LENGTH];
        for (Entry e : byPrefix.values()) {
          des.responseInto(e.vncKey, out);
          m.put(Response.of(out), e.prefix);
        }
        ready = true;
        builds.increment();
      }
    }

    /** A ticket issued after the index was published (nothing to do before: the build will see it). */
    void add(Entry e) {
      Map<Response, String> m = index;
      if (m == null) return;
      byte[] out = new byte[VncAuth.CHALLENGE_LENGTH];
      VncAuth.encrypting(challenge).responseInto(e.vncKey, out);
      m.put(Response.of(out), e.prefix);
    }

    /** One lookup, then one DES with the found ticket's key to confirm it (constant-time compare). */
    Optional<TicketGrant> redeem(VncAuth.ResponseCheck check, byte[] response) {
      build();
      Response key = Response.of(response);
      String prefix = index.get(key);
      Entry e = prefix == null ? null : byPrefix.get(prefix);
      if (e == null || !check.answeredBy(e.vncKey)) return Optional.empty();
      index.remove(key, prefix);
      return take(e);
    }
  }
}
