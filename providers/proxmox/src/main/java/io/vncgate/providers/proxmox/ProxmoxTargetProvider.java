package io.vncgate.providers.proxmox;

import io.vncgate.providers.proxmox.api.PveClient;
import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.providers.proxmox.config.SettingsReader;
import io.vncgate.spi.Caller;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code proxmox} provider: the QEMU VMs and LXC containers of one or more Proxmox VE clusters
 * as {@code proxmox/<cluster>/<vmid>}. For every connection it asks the guest's node for a fresh
 * console ({@code vncproxy}, websocket=1) and answers with a {@code vncwebsocket} route carrying
 * the same auth header, the cluster's TLS trust and the console's VNC password.
 */
@Extension
public class ProxmoxTargetProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(ProxmoxTargetProvider.class);
  private static final Pattern ID = Pattern.compile("proxmox/([^/]+)/([1-9][0-9]{0,8})");

  private final Clock clock;
  /** Set once by start (in config order), emptied by stop; read by any thread. */
  private volatile Map<String, Cluster> clusters = Map.of();
  private ExecutorService executor;

  public ProxmoxTargetProvider() {
    this(Clock.systemUTC());
  }

  /** With a clock of the test's choosing (ticket renewal, cache age). */
  ProxmoxTargetProvider(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "proxmox";
  }

  @Override
  public void start(ProviderContext context) throws IOException, GeneralSecurityException {
    List<ClusterSettings> settings = SettingsReader.read(context.config(), context.configDirectory());
    executor = ProviderThreads.create(2);
    Map<String, Cluster> started = new LinkedHashMap<>();
    for (ClusterSettings s : settings) {
      PveClient client = PveClient.create(s, executor, clock);
      started.put(s.name(), new Cluster(s, client, new GuestCache(client::guests, clock)));
      log.info("proxmox cluster {}: API {} as {} ({}); TLS trust: {}{}{}", s.name(), s.url(), s.login().principal(),
          s.login() instanceof ClusterSettings.Token ? "API token" : "password login",
          s.fingerprint() != null ? "pinned SHA-256 fingerprint " + s.fingerprint()
              : s.caFile() != null ? "CA file " + s.caFile() : "the JVM's trust store",
          s.tags().isEmpty() ? "" : "; only tags " + s.tags(), s.pools().isEmpty() ? "" : "; only pools " + s.pools());
    }
    clusters = Collections.unmodifiableMap(started);
  }

  /**
   * Every cluster's guests. A cluster that cannot be asked is left out (and logged) while others
   * answer; when none answers, the call fails with the first cluster's reason.
   */
  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    List<Cluster> all = List.copyOf(clusters.values());
    List<CompletableFuture<List<TargetInfo>>> parts = all.stream().map(Cluster::targets).toList();
    CompletableFuture<List<TargetInfo>> out = new CompletableFuture<>();
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, ignored) -> {
      List<TargetInfo> targets = new ArrayList<>();
      Throwable first = null;
      for (int i = 0; i < parts.size(); i++) {
        try {
          targets.addAll(parts.get(i).join());
        } catch (CompletionException e) {
          Throwable cause = unwrap(e);
          if (first == null) first = cause;
          if (parts.size() > 1) {
            log.warn("proxmox cluster {}: its guests are left out of the list: {}", all.get(i).settings().name(),
                cause.getMessage());
          }
        }
      }
      if (first != null && allFailed(parts)) {
        out.completeExceptionally(first);
      } else {
        out.complete(List.copyOf(targets));
      }
    });
    return out;
  }

  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    Matcher m = ID.matcher(targetId);
    if (!m.matches()) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.NOT_FOUND, "no such target: " + targetId
          + " (Proxmox targets are proxmox/<cluster>/<vmid>)"));
    }
    Cluster cluster = clusters.get(m.group(1));
    if (cluster == null) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.NOT_FOUND, "no such target: " + targetId
          + " (no cluster \"" + m.group(1) + "\" in providers.proxmox.clusters)"));
    }
    CompletableFuture<TargetRoute> out = new CompletableFuture<>();
    cluster.resolve(targetId, Integer.parseInt(m.group(2))).whenComplete((route, error) -> {
      if (error == null) {
        out.complete(route);
      } else {
        out.completeExceptionally(unwrap(error));
      }
    });
    return out;
  }

  /** The guest's status now, from its node: stopped (or paused, or gone) ends its console. */
  @Override
  public CompletionStage<Optional<String>> whyEnded(String targetId, Caller caller) {
    Matcher m = ID.matcher(targetId);
    Cluster cluster = m.matches() ? clusters.get(m.group(1)) : null;
    if (cluster == null) return CompletableFuture.completedFuture(Optional.empty());
    return cluster.whyEnded(targetId, Integer.parseInt(m.group(2)));
  }

  @Override
  public void stop() {
    clusters = Map.of();
    if (executor != null) executor.shutdownNow();
  }

  private static boolean allFailed(List<CompletableFuture<List<TargetInfo>>> parts) {
    return parts.stream().allMatch(CompletableFuture::isCompletedExceptionally);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }
}
