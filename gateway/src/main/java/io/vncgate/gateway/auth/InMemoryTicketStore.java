package io.vncgate.gateway.auth;

import io.vncgate.gateway.rfb.VncAuth;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tickets in this process's memory. A ticket is 32 characters from [A-Za-z0-9] (about 190 bits);
 * its first 8 characters (about 47 bits) are unique among live tickets because VNC
 * authentication, which native viewers use to present a ticket, only looks at 8 bytes.
 */
public final class InMemoryTicketStore implements TicketStore {
  static final int LENGTH = 32;
  static final int VNC_PREFIX = 8;
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> byPrefix = new ConcurrentHashMap<>();
  private final Clock clock;

  /** {@code vncKey}: the DES key of the ticket's VNC password (its first 8 characters), made once at issue. */
  private record Entry(String ticket, TicketGrant grant, byte[] vncKey) {}

  public InMemoryTicketStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String issue(TicketGrant grant) {
    prune();
    while (true) {
      String ticket = randomText(LENGTH);
      String prefix = ticket.substring(0, VNC_PREFIX);
      Entry entry = new Entry(ticket, grant, VncAuth.desKey(prefix.getBytes(StandardCharsets.US_ASCII)));
      if (byPrefix.putIfAbsent(prefix, entry) == null) {
        return ticket;
      }
    }
  }

  @Override
  public Optional<TicketGrant> redeem(String ticket) {
    if (ticket == null || ticket.length() != LENGTH) return Optional.empty();
    String prefix = ticket.substring(0, VNC_PREFIX);
    Entry e = byPrefix.get(prefix);
    if (e == null || !java.security.MessageDigest.isEqual(
        e.ticket.getBytes(StandardCharsets.US_ASCII), ticket.getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    return take(prefix, e);
  }

  /** Tries every live ticket (a DES encryption each, about a microsecond): call it off the event loop. */
  @Override
  public Optional<TicketGrant> redeemVncResponse(byte[] challenge, byte[] response) {
    VncAuth.ResponseCheck check = VncAuth.check(challenge, response);
    if (check == null) return Optional.empty();
    for (Map.Entry<String, Entry> me : byPrefix.entrySet()) {
      if (check.answeredBy(me.getValue().vncKey)) {
        return take(me.getKey(), me.getValue());
      }
    }
    return Optional.empty();
  }

  private Optional<TicketGrant> take(String prefix, Entry e) {
    // remove(key, value) is atomic: of two racing redeemers exactly one wins
    if (!byPrefix.remove(prefix, e)) return Optional.empty();
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

  private void prune() {
    Instant now = now();
    byPrefix.values().removeIf(e -> !e.grant.expiresAt().isAfter(now));
  }

  private Instant now() {
    return clock.instant();
  }

  private String randomText(int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    return new String(out);
  }
}
