package io.vncgate.providers.ssh;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reuses a discovery's answer for a short time, and lets concurrent callers share one request.
 * Failures are not kept: the next call asks the API again.
 */
final class DiscoveryCache {
  private final Discovery discovery;
  private final Duration ttl;
  private final Clock clock;
  private CompletableFuture<List<SshHost>> current;
  private Instant fetchedAt = Instant.MIN;

  DiscoveryCache(Discovery discovery, Duration ttl, Clock clock) {
    this.discovery = discovery;
    this.ttl = ttl;
    this.clock = clock;
  }

  Discovery discovery() {
    return discovery;
  }

  synchronized CompletableFuture<List<SshHost>> hosts() {
    boolean fresh = current != null && (!current.isDone() || clock.instant().isBefore(fetchedAt.plus(ttl)));
    if (fresh) return current;
    CompletableFuture<List<SshHost>> fetch = discovery.hosts();
    current = fetch;
    fetch.whenComplete((hosts, error) -> settled(fetch, error == null));
    return fetch;
  }

  private synchronized void settled(CompletableFuture<List<SshHost>> fetch, boolean ok) {
    if (current != fetch) return;
    if (ok) {
      fetchedAt = clock.instant();
    } else {
      current = null;
    }
  }
}
