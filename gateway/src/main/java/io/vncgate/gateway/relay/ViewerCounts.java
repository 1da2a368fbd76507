package io.vncgate.gateway.relay;

import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.provider.ProviderRegistry;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Counts the relaying viewers of each target, over every front and event loop, and tells the
 * target's provider each time the number changes ({@code TargetProvider.viewers}): a provider that
 * starts desktops on demand stops them after a while at zero. One lock keeps the counts and their
 * order (a provider never sees 1 after 0 for the same two changes); the providers' calls return at
 * once.
 */
public final class ViewerCounts implements ConnectionListener {
  private final ProviderRegistry providers;
  private final Map<String, Integer> counts = new HashMap<>();
  private final Map<ViewerConnection, String> relaying = new IdentityHashMap<>();

  public ViewerCounts(ProviderRegistry providers) {
    this.providers = providers;
  }

  @Override
  public void relaying(ViewerConnection connection) {
    if (connection.grant() == null) return;
    String target = connection.grant().targetId();
    synchronized (this) {
      if (relaying.putIfAbsent(connection, target) != null) return;
      int n = counts.merge(target, 1, Integer::sum);
      providers.viewers(target, n);
    }
  }

  @Override
  public void closed(ViewerConnection connection, Outcome outcome, String reason) {
    synchronized (this) {
      String target = relaying.remove(connection);
      if (target == null) return;
      int n = counts.merge(target, -1, Integer::sum);
      if (n <= 0) counts.remove(target);
      providers.viewers(target, Math.max(n, 0));
    }
  }

  /** Relaying viewers of {@code targetId} now. */
  public synchronized int count(String targetId) {
    return counts.getOrDefault(targetId, 0);
  }
}
