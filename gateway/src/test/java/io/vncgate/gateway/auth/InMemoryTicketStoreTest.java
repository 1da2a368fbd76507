package io.vncgate.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.rfb.VncAuth;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InMemoryTicketStoreTest {
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  private final InMemoryTicketStore store = new InMemoryTicketStore(clock);

  private TicketGrant grant() {
    UserPrincipal alice = new UserPrincipal("alice", List.of(TargetGlob.of("static/*")), Role.CONTROL);
    return new TicketGrant("c1", "s1", alice, "static/lab1", Role.CONTROL, now.get().plusSeconds(30));
  }

  @Test
  void ticketRedeemsExactlyOnce() {
    String t = store.issue(grant());
    assertEquals(32, t.length());
    assertEquals("static/lab1", store.redeem(t).orElseThrow().targetId());
    assertTrue(store.redeem(t).isEmpty(), "a ticket must not work twice");
  }

  @Test
  void expiredTicketIsRefused() {
    String t = store.issue(grant());
    now.set(now.get().plus(Duration.ofSeconds(31)));
    assertTrue(store.redeem(t).isEmpty());
  }

  @Test
  void wrongTicketWithSamePrefixIsRefusedAndDoesNotBurnTheRealOne() {
    String t = store.issue(grant());
    String forged = t.substring(0, 8) + "x".repeat(24);
    assertTrue(store.redeem(forged).isEmpty());
    assertTrue(store.redeem(t).isPresent());
  }

  @Test
  void nativeViewerRedeemsWithVncAuthOverTheFirstEightCharacters() {
    String t = store.issue(grant());
    store.issue(grant());
    byte[] challenge = VncAuth.newChallenge();
    // a viewer truncates the typed password to 8 bytes itself
    byte[] response = VncAuth.response(challenge, t.getBytes(StandardCharsets.US_ASCII));
    assertTrue(store.redeemVncResponse(challenge, response).isPresent());
    assertTrue(store.redeemVncResponse(challenge, response).isEmpty(), "one use only");
    assertTrue(store.redeem(t).isEmpty());
    assertEquals(1, store.size());
  }

  @Test
  void wrongVncPasswordRedeemsNothing() {
    store.issue(grant());
    byte[] challenge = VncAuth.newChallenge();
    assertTrue(store.redeemVncResponse(challenge, VncAuth.response(challenge, "wrongpw1".getBytes())).isEmpty());
    assertEquals(1, store.size());
  }

  @Test
  void prefixesAreUniqueAmongLiveTickets() {
    Set<String> prefixes = new HashSet<>();
    for (int i = 0; i < 2000; i++) prefixes.add(store.issue(grant()).substring(0, 8));
    assertEquals(2000, prefixes.size());
    assertNotEquals(store.issue(grant()), store.issue(grant()));
  }
}
