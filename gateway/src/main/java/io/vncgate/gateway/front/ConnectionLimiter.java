package io.vncgate.gateway.front;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the open connections of both fronts, in all and per remote address, against
 * {@code limits.connections.max} and {@code .per-address}. Shared by every front instance (any
 * event loop); each admitted connection is released exactly once, when its socket closes.
 */
public final class ConnectionLimiter {
  private final int max;
  private final int perAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> byAddress = new ConcurrentHashMap<>();
  private final AtomicLong lastRefusalLog = new AtomicLong(
      System.nanoTime() - 20_000_000_000L);
  private final AtomicLong unloggedRefusals = new AtomicLong();
  /* set once the gateway drains (SIGTERM): every new connection is refused with these words */
  private volatile String closing;

  public ConnectionLimiter(int max, int perAddress) {
    this.max = max;
    this.perAddress = perAddress;
  }

  /**
   * Counts a new connection from {@code address}, or refuses it.
   *
   * @return null when admitted (call {@link #release} when it closes), else why not, in words
   */
  public String tryOpen(String address) {
    String refusal = tryOpenTotal();
    if (refusal != null) return refusal;
    refusal = tryAttribute(address);
    if (refusal != null) open.decrementAndGet();
    return refusal;
  }

  /**
   * Counts a new connection against {@code limits.connections.max} only: one from a trusted proxy,
   * whose client is known once its first request arrives ({@link #tryAttribute}).
   *
   * @return null when admitted (call {@link #releaseTotal} when it closes), else why not, in words
   */
  String tryOpenTotal() {
    String c = closing;
    if (c != null) return c;
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      return "the gateway has its maximum of " + max + " open connections (limits.connections.max): try again shortly";
    }
    return null;
  }

  /**
   * Counts a connection against {@code limits.connections.per-address} for {@code address}.
   *
   * @return null when admitted (call {@link #releaseAttributed} when it closes), else why not, in words
   */
  String tryAttribute(String address) {
    boolean[] over = new boolean[1];
    byAddress.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= perAddress) {
        over[0] = true;
        return n;
      }
      return count + 1;
    });
    if (over[0]) {
      return "too many open connections from " + address + " (limits.connections.per-address: " + perAddress
          + "): close some, or try again shortly";
    }
    return null;
  }

  /**
   * Whether a refusal should be logged at info: at most one every 10 s (a flood would otherwise
   * flood the log); returns how many went unlogged before it, or -1 for "log at debug".
   */
  public long logRefusal() {
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if (now - last >= 10_000_000_000L && lastRefusalLog.compareAndSet(last, now)) {
      return unloggedRefusals.getAndSet(0);
    }
    unloggedRefusals.incrementAndGet();
    return -1;
  }

  /** From now on every new connection of either front is refused with {@code reason} (the gateway drains). */
  public void refuseAll(String reason) {
    closing = reason;
  }

  /** Whether {@link #refuseAll} was called: {@code /readyz} answers 503 then. */
  boolean draining() {
    return closing != null;
  }

  /** The words of {@link #refuseAll}, or null while the gateway is not draining. */
  String closingReason() {
    return closing;
  }

  /** Forgets a connection {@link #tryOpen} admitted. */
  public void release(String address) {
    releaseTotal();
    releaseAttributed(address);
  }

  /** Forgets a connection {@link #tryOpenTotal} admitted. */
  void releaseTotal() {
    open.decrementAndGet();
  }

  /** Forgets a count {@link #tryAttribute} made. */
  void releaseAttributed(String address) {
    byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  /** Open connections counted, for tests and metrics. */
  public int open() {
    return open.get();
  }
}
