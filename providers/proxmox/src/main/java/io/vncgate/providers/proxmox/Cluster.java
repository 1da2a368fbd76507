package io.vncgate.providers.proxmox;

import io.vncgate.providers.proxmox.api.Guest;
import io.vncgate.providers.proxmox.api.PveClient;
import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Limits;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.spi.Tls;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configured cluster: its guests as targets, and a console route per connection. */
final class Cluster {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  private final ClusterSettings settings;
  private final PveClient client;
  private final GuestCache guests;

  Cluster(ClusterSettings settings, PveClient client, GuestCache guests) {
    this.settings = settings;
    this.client = client;
    this.guests = guests;
  }

  ClusterSettings settings() {
    return settings;
  }

  String targetId(Guest g) {
    return "proxmox/" + settings.name() + "/" + g.vmid();
  }

  /** The guests the filters let through (templates have no console and are left out). */
  CompletableFuture<List<TargetInfo>> targets() {
    return guests.guests().thenApply(list -> list.stream()
        .filter(g -> !g.template() && filtered(g).isEmpty())
        .map(this::info)
        .toList());
  }

  private TargetInfo info(Guest g) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("cluster", settings.name());
    labels.put("node", g.node());
    labels.put("type", g.type());
    labels.put("vmid", Integer.toString(g.vmid()));
    labels.put("status", g.status());
    if (!g.tags().isEmpty()) labels.put("tags", String.join(";", g.tags()));
    if (g.pool() != null) labels.put("pool", g.pool());
    String name = g.name() == null ? g.kind() : g.name();
    return new TargetInfo(targetId(g), name, labels, Set.of());
  }

  /** Why the filters leave the guest out, or empty. */
  private Optional<String> filtered(Guest g) {
    if (!settings.tags().isEmpty() && g.tags().stream().noneMatch(settings.tags()::contains)) {
      return Optional.of("it has none of the tags " + settings.tags() + " (" + settings.key("tags") + ")");
    }
    if (!settings.pools().isEmpty() && (g.pool() == null || !settings.pools().contains(g.pool()))) {
      return Optional.of("it is in none of the pools " + settings.pools() + " (" + settings.key("pools")
          + "; listing a guest's pool needs Pool.Audit on /pool/<pool>)");
    }
    return Optional.empty();
  }

  /**
   * A fresh console for one connection: the guest's node from the list (at most 2 s old), its
   * status now from that node, one {@code vncproxy} call, the route.
   */
  CompletableFuture<TargetRoute> resolve(String targetId, int vmid) {
    return guests.guests().thenApply(list -> offered(targetId, vmid, list))
        .thenCompose(guest -> client.status(guest)
            .thenCompose(status -> {
              if (!"running".equals(status)) throw notRunning(targetId, guest, status);
              return client.console(guest);
            })
            .whenComplete((console, error) -> {
              if (error != null) guests.invalidate();
            })
            .thenApply(console -> {
              log.debug("proxmox {}: console ticket from node {} on port {}", targetId, guest.node(),
                  console.ticket().port());
              return route(guest, console);
            }));
  }

  /**
   * Why a guest's console ended: its status now from its node ("… is stopped on node pve1"), or
   * that it is gone from the cluster; empty while it runs (the console ended for another reason).
   */
  CompletableFuture<Optional<String>> whyEnded(String targetId, int vmid) {
    // the list is at most 2 s old: for a guest deleted since, the status call fails (the gateway's words)
    return guests.guests().thenCompose(list -> {
      Optional<Guest> g = list.stream().filter(x -> x.vmid() == vmid).findFirst();
      if (g.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.of(targetId + " is no longer in Proxmox cluster " + settings.name()));
      }
      return client.status(g.get()).thenApply(status -> "running".equals(status) ? Optional.<String>empty()
          : Optional.of(label(targetId, g.get()) + " is " + status + " on node " + g.get().node()));
    });
  }

  private Guest offered(String targetId, int vmid, List<Guest> list) {
    Guest g = list.stream().filter(x -> x.vmid() == vmid).findFirst().orElseThrow(() ->
        new ProviderException(Kind.NOT_FOUND, "no guest " + vmid + " in Proxmox cluster " + settings.name()
            + " (deleted, or " + settings.login().principal() + " lacks VM.Audit on /vms/" + vmid + ")"));
    if (g.template()) {
      throw new ProviderException(Kind.NOT_FOUND, label(targetId, g) + " is a template: templates have no console");
    }
    Optional<String> why = filtered(g);
    if (why.isPresent()) throw new ProviderException(Kind.NOT_FOUND, label(targetId, g) + " is not offered: " + why.get());
    return g;
  }

  private static ProviderException notRunning(String targetId, Guest g, String status) {
    return new ProviderException(Kind.UNAVAILABLE, label(targetId, g) + " is " + status + " on node " + g.node()
        + ": start it (Start in the Proxmox web interface, or `" + g.startCommand() + "`) and open it again");
  }

  private static String label(String targetId, Guest g) {
    return targetId + " (" + g.kind() + (g.name() == null ? "" : " " + g.name()) + ")";
  }

  /**
   * The same trust as the API calls; the setting the gateway names when it refuses a certificate is
   * the key that pins one, however the cluster is trusted now.
   */
  private Tls tls() {
    String pinKey = settings.key("fingerprint");
    if (settings.fingerprint() != null) return Tls.pinned(settings.fingerprint(), pinKey);
    if (settings.caFile() != null) return Tls.caFile(settings.caFile(), pinKey);
    return new Tls(null, null, pinKey);
  }

  private TargetRoute route(Guest g, PveClient.Console console) {
    String query = "?port=" + console.ticket().port() + "&vncticket="
        + URLEncoder.encode(console.ticket().ticket().reveal(), StandardCharsets.UTF_8);
    // the same API host and port as the vncproxy call, as wss
    URI uri = URI.create("wss://" + settings.url().getRawAuthority() + "/api2/json/nodes/" + g.node() + "/" + g.type()
        + "/" + g.vmid() + "/vncwebsocket" + query);
    Map<String, Secret> headers = Map.of(console.auth().headerName(), console.auth().headerValue());
    Route.WebSocket route = new Route.WebSocket(uri, headers, List.of("binary"), tls(),
        Route.WebSocket.DEFAULT_MAX_FRAME_BYTES, ConsoleRefusals.of(g, settings.login().principal()));
    // one console connects at a time: PVE sets the VM's VNC password as each one connects, so a
    // second one would change it before the first has logged in
    return new TargetRoute(route, new Credentials.VncPassword(console.ticket().vncPassword()),
        Limits.DEFAULTS.withHandshakesAtOnce(1));
  }
}
