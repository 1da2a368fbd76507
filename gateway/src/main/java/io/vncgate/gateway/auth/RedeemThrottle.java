package io.vncgate.gateway.auth;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed ticket redemptions per remote address ({@code limits.tickets.failures-per-address} per
 * {@code limits.tickets.failure-window}): past the limit an address is refused, without its ticket
 * being looked at, until its window ends. Guessing a ticket (190 bits, or the 47 bits of its VNC
 * prefix on the TCP front) from one address thereby goes at a few tries a minute. Thread-safe; the
 * table is swept as it grows so spoofed or rotating addresses cannot fill memory.
 */
public final class RedeemThrottle {
  private static final int SWEEP_AT = 10_000;

  private final int maxFailures;
  private final long windowNanos;
  private final ConcurrentHashMap<String, Window> byAddress = new ConcurrentHashMap<>();

  private record Window(long startNanos, int failures) {}

  public RedeemThrottle(int maxFailures, Duration window) {
    this.maxFailures = maxFailures;
    this.windowNanos = window.toNanos();
  }

  /** Null when {@code address} may redeem a ticket now, else why not, in words. */
  public String refusal(String address) {
    Window w = byAddress.get(address);
    long now = System.nanoTime();
    if (w == null || now - w.startNanos >= windowNanos || w.failures < maxFailures) return null;
    long waitSeconds = Math.max(1, (w.startNanos + windowNanos - now + 999_999_999L) / 1_000_000_000L);
    return "too many invalid tickets from " + address + " (limits.tickets.failures-per-address: " + maxFailures
        + "): wait " + waitSeconds + " s, then use a new ticket from POST /api/v1/sessions";
  }

  /** Counts a failed redemption from {@code address}. */
  public void failed(String address) {
    long now = System.nanoTime();
    if (byAddress.size() >= SWEEP_AT) {
      byAddress.values().removeIf(w -> now - w.startNanos >= windowNanos);
    }
    byAddress.compute(address, (a, w) -> w == null || now - w.startNanos >= windowNanos
        ? new Window(now, 1) : new Window(w.startNanos, w.failures + 1));
  }
}
