package io.vncgate.providers.docker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The desktop containers' list, reused for {@link #MAX_AGE} and shared by concurrent callers (a
 * page and the API asking at once cause one Engine call). Short, so a container started or removed
 * is seen at the next listing; failures are not kept. Opening a target never uses it: resolve
 * inspects the container afresh.
 */
final class ListCache<T> {
  static final Duration MAX_AGE = Duration.ofSeconds(1);

  private final Supplier<CompletableFuture<List<T>>> fetch;
  private final Clock clock;
  private CompletableFuture<List<T>> current;
  private Instant fetchedAt = Instant.MIN;

  ListCache(Supplier<CompletableFuture<List<T>>> fetch, Clock clock) {
    this.fetch = fetch;
    this.clock = clock;
  }

  synchronized CompletableFuture<List<T>> get() {
    boolean fresh = current != null && (!current.isDone() || clock.instant().isBefore(fetchedAt.plus(MAX_AGE)));
    if (fresh) return current;
    CompletableFuture<List<T>> attempt = fetch.get();
    current = attempt;
    attempt.whenComplete((list, error) -> settled(attempt, error == null));
    return attempt;
  }

  private synchronized void settled(CompletableFuture<List<T>> attempt, boolean ok) {
    if (current != attempt) return;
    if (ok) {
      fetchedAt = clock.instant();
    } else {
      current = null;
    }
  }
}
