package io.vncgate.providers.ssh;

import io.vncgate.providers.ssh.aws.Ec2Discovery;
import io.vncgate.providers.ssh.config.SettingsReader;
import io.vncgate.providers.ssh.config.SshProviderSettings;
import io.vncgate.providers.ssh.hetzner.HetznerDiscovery;
import io.vncgate.spi.Caller;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Route;
import io.vncgate.spi.SshHop;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ssh} provider: hosts reached over SSH whose VNC server listens on their loopback.
 * Targets come from a static inventory ({@code ssh/<id>}), Hetzner Cloud ({@code ssh/hetzner/<name>})
 * and AWS EC2 ({@code ssh/aws/<instance id>}); cloud answers are cached for {@code discovery-ttl}.
 * A route is one SSH hop with the configured known_hosts file and pinned keys; the gateway does the rest.
 */
@Extension
public class SshTargetProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(SshTargetProvider.class);

  private SshProviderSettings settings;
  private ExecutorService executor;
  private List<SshHost> inventory = List.of();
  private final Map<String, DiscoveryCache> discoveries = new LinkedHashMap<>();

  @Override
  public String name() {
    return "ssh";
  }

  @Override
  public void start(ProviderContext context) {
    settings = SettingsReader.read(context.config(), context.configDirectory());
    executor = ProviderThreads.create(2);
    inventory = settings.hosts().stream()
        .map(h -> new SshHost("ssh/" + h.id(), h.name(), h.labels(), h.host(), h.access()))
        .toList();
    settings.hetzner().ifPresent(h -> add(new HetznerDiscovery(h, executor)));
    settings.aws().ifPresent(a -> add(ProviderThreads.withPluginClassLoader(() -> new Ec2Discovery(a, executor))));
    log.info("ssh provider: {} inventory hosts, discovery: {}; host keys checked against {}{}", inventory.size(),
        discoveries.isEmpty() ? "none" : String.join(", ", discoveries.keySet()),
        settings.knownHosts() == null ? "pinned keys only" : settings.knownHosts(),
        settings.pinnedKeys().isEmpty() ? "" : " and " + settings.pinnedKeys().size() + " pinned keys");
  }

  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    List<CompletableFuture<List<SshHost>>> parts = new ArrayList<>();
    parts.add(CompletableFuture.completedFuture(inventory));
    discoveries.values().forEach(d -> parts.add(d.hosts()));
    CompletableFuture<List<TargetInfo>> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> parts.stream().flatMap(p -> p.join().stream())
            .map(h -> new TargetInfo(h.id(), h.name(), h.labels(), Set.of()))
            .toList());
    return unwrapped(all);
  }

  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    return unwrapped(find(targetId).thenApplyAsync(host -> new TargetRoute(route(host),
        VncPasswords.of(host.access().vnc(), targetId)), executor));
  }

  @Override
  public void stop() {
    discoveries.values().forEach(d -> d.discovery().close());
    discoveries.clear();
    if (executor != null) executor.shutdownNow();
  }

  private void add(Discovery discovery) {
    discoveries.put(discovery.name(), new DiscoveryCache(discovery, settings.discoveryTtl(), Clock.systemUTC()));
  }

  private CompletableFuture<SshHost> find(String targetId) {
    String[] parts = targetId.split("/", 3);
    DiscoveryCache cloud = parts.length == 3 && parts[0].equals("ssh") ? discoveries.get(parts[1]) : null;
    CompletableFuture<List<SshHost>> hosts = cloud != null ? cloud.hosts() : CompletableFuture.completedFuture(inventory);
    return hosts.thenApply(list -> list.stream().filter(h -> h.id().equals(targetId)).findFirst()
        .orElseThrow(() -> new ProviderException(Kind.NOT_FOUND, "no such target: " + targetId)));
  }

  private Route route(SshHost host) {
    SshHop hop = new SshHop(host.address(), host.access().port(), host.access().user(), host.access().identityFiles(),
        settings.knownHosts(), settings.pinnedKeys());
    return new Route.Ssh(List.of(hop), host.access().vnc().host(), host.access().vnc().port());
  }

  /** Fails with the provider's own exception, not a {@link CompletionException} around it. */
  private static <T> CompletableFuture<T> unwrapped(CompletableFuture<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
      } else {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
        out.completeExceptionally(cause);
      }
    });
    return out;
  }
}
