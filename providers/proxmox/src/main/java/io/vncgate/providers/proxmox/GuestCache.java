package io.vncgate.providers.proxmox;

import io.vncgate.providers.proxmox.api.Guest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A cluster's guest list, reused for {@link #MAX_AGE} and shared by concurrent callers (several
 * viewers opening at once cause one {@code /cluster/resources} call). Short, so a guest started,
 * stopped or moved is seen at the next connection. Failures are not kept.
 */
final class GuestCache {
  static final Duration MAX_AGE = Duration.ofSeconds(2);

  private final Supplier<CompletableFuture<List<Guest>>> fetch;
  private final Clock clock;
  private CompletableFuture<List<Guest>> current;
  private Instant fetchedAt = Instant.MIN;

  GuestCache(Supplier<CompletableFuture<List<Guest>>> fetch, Clock clock) {
    this.fetch = fetch;
    this.clock = clock;
  }

  synchronized CompletableFuture<List<Guest>> guests() {
    boolean fresh = current != null && (!current.isDone() || clock.instant().isBefore(fetchedAt.plus(MAX_AGE)));
    if (fresh) return current;
    CompletableFuture<List<Guest>> attempt = fetch.get();
    current = attempt;
    attempt.whenComplete((guests, error) -> settled(attempt, error == null));
    return attempt;
  }

  /** Forget the list (a console call failed: the guest may have moved). */
  synchronized void invalidate() {
    if (current != null && current.isDone()) current = null;
  }

  private synchronized void settled(CompletableFuture<List<Guest>> attempt, boolean ok) {
    if (current != attempt) return;
    if (ok) {
      fetchedAt = clock.instant();
    } else {
      current = null;
    }
  }
}
