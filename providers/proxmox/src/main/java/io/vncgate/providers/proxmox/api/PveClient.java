package io.vncgate.providers.proxmox.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.providers.proxmox.tls.TlsContexts;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The calls the provider makes to one cluster's API, each with the cluster's auth: the guest list
 * and a console ticket. A ticket refused with 401 is replaced by a new login once.
 */
public final class PveClient {
  /** The console size asked for an LXC container (vncterm draws a terminal of that size). */
  public static final int LXC_WIDTH = 1024;
  public static final int LXC_HEIGHT = 768;

  private final PveHttp http;
  private final PveAuth auth;

  private PveClient(PveHttp http, PveAuth auth) {
    this.http = http;
    this.auth = auth;
  }

  /** A client for {@code cluster}; its HTTP callbacks and secret-file reads run on {@code executor}. */
  public static PveClient create(ClusterSettings cluster, Executor executor, Clock clock)
      throws IOException, GeneralSecurityException {
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(TlsContexts.forCluster(cluster.fingerprint(), cluster.caFile()))
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
    PveHttp http = new PveHttp(cluster, client, executor);
    PveAuth auth = cluster.login() instanceof ClusterSettings.Token token
        ? new TokenAuth(cluster, token, executor)
        : new TicketAuth(cluster, (ClusterSettings.Password) cluster.login(), http, executor, clock);
    return new PveClient(http, auth);
  }

  /** {@code GET /cluster/resources?type=vm}: the QEMU VMs and LXC containers the API user may see. */
  public CompletableFuture<List<Guest>> guests() {
    return authed("GET", "/cluster/resources?type=vm", null, PveCall.listing(), false)
        .thenApply(answer -> {
          if (!answer.data().isArray()) {
            throw new ProviderException(Kind.UNAVAILABLE, "the Proxmox API answered /cluster/resources with no list");
          }
          return PveJson.guests(answer.data());
        });
  }

  /**
   * {@code GET /nodes/{node}/{qemu|lxc}/{vmid}/status/current}: the guest's status now, from its
   * node (the API node proxies there: an unreachable node answers 595).
   */
  public CompletableFuture<String> status(Guest guest) {
    String path = "/nodes/" + guest.node() + "/" + guest.type() + "/" + guest.vmid() + "/status/current";
    return authed("GET", path, null, PveCall.status(guest), false)
        .thenApply(answer -> answer.data().path("status").asText("unknown"));
  }

  /** A console ticket and the auth it is bound to. */
  public record Console(ConsoleTicket ticket, ApiAuth auth) {}

  /**
   * {@code POST /nodes/{node}/{qemu|lxc}/{vmid}/vncproxy} with {@code websocket=1} (and a size for
   * a container): a console worker waiting 10 s for one {@code vncwebsocket}.
   */
  public CompletableFuture<Console> console(Guest guest) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("websocket", "1");
    if (guest.type().equals("lxc")) {
      form.put("width", Integer.toString(LXC_WIDTH));
      form.put("height", Integer.toString(LXC_HEIGHT));
    }
    String path = "/nodes/" + guest.node() + "/" + guest.type() + "/" + guest.vmid() + "/vncproxy";
    PveCall call = PveCall.console(guest);
    return authed("POST", path, form, call, false).thenApply(answer -> {
      try {
        return new Console(PveJson.consoleTicket(answer.data()), answer.auth());
      } catch (IllegalArgumentException e) {
        throw http.errors().status(502, "(" + e.getMessage() + ")", call);
      }
    });
  }

  private record Answer(JsonNode data, ApiAuth auth) {}

  private CompletableFuture<Answer> authed(String method, String path, Map<String, String> form, PveCall call,
      boolean retried) {
    return auth.current().thenCompose(a -> http.call(method, path, form, a, call)
        .thenApply(data -> new Answer(data, a))
        .exceptionallyCompose(error -> {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          // a login ticket the API refuses (expired early, new auth key) is replaced once; a token is not retried
          if (!retried && cause instanceof PveRefusal r && r.status() == 401 && auth.refused(a)) {
            return authed(method, path, form, call, true);
          }
          return CompletableFuture.failedFuture(cause);
        }));
  }
}
