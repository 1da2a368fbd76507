package io.vncgate.providers.kubevirt;

import io.vncgate.providers.kubevirt.KubeErrors.Request;
import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.Sharing;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kubevirt} provider: the VirtualMachineInstances a Kubernetes account may list, as
 * {@code kubevirt/<namespace>/<vmi>}. A connection goes through the kube API's {@code vnc}
 * subresource ({@code wss://<api>/apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}/vnc},
 * subprotocol {@code plain.kubevirt.io}) with the account's bearer token or client certificate and
 * the cluster's CA; the VNC server behind it (libvirt's) has no password.
 *
 * <p>A VMI takes one VNC connection (a second one ends the first), so the provider asks the
 * gateway to share one upstream among all viewers ({@link Sharing#FAN_OUT}).
 */
@Extension
public class KubeVirtTargetProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(KubeVirtTargetProvider.class);
  /** namespace (DNS-1123 label) / VMI name (DNS-1123 subdomain) */
  private static final Pattern ID = Pattern.compile("kubevirt/([a-z0-9][-a-z0-9]{0,62})/([a-z0-9][-a-z0-9.]{0,252})");
  static final String VNC_SUBPROTOCOL = "plain.kubevirt.io";

  private final Supplier<Map<String, String>> environment;
  private final Path serviceAccount;
  private volatile KubeVirtSettings settings;
  private volatile ClusterAccess access;
  private volatile Selector selector;
  private VmiApi api;
  private ExecutorService executor;

  public KubeVirtTargetProvider() {
    this(System::getenv, ClusterAccess.SERVICE_ACCOUNT);
  }

  /** With the environment and service-account folder of the test's choosing (in-cluster start). */
  KubeVirtTargetProvider(Supplier<Map<String, String>> environment, Path serviceAccount) {
    this.environment = environment;
    this.serviceAccount = serviceAccount;
  }

  @Override
  public String name() {
    return "kubevirt";
  }

  @Override
  public void start(ProviderContext context) {
    KubeVirtSettings s = KubeVirtSettings.read(context.config(), context.configDirectory());
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    // fabric8 looks its model classes up through the context class loader too: the plugin's, not the gateway's
    thread.setContextClassLoader(KubeVirtTargetProvider.class.getClassLoader());
    ClusterAccess a;
    try {
      a = s.kubeconfig() != null ? ClusterAccess.fromKubeconfig(s)
          : ClusterAccess.inCluster(environment.get(), serviceAccount, s.key("kubeconfig"));
      api = new VmiApi(a);
    } finally {
      thread.setContextClassLoader(before);
    }
    executor = ProviderThreads.create(2);
    settings = s;
    access = a;
    selector = s.labelSelector() == null ? null : Selector.parse(s.labelSelector());
    log.info("kubevirt: API {} with {} ({}); TLS trust: {}; namespaces: {}; label selector: {}", a.apiUrl(), a.source(),
        a.token() != null ? "bearer token" : "client certificate",
        a.tls().caPem() != null ? "the cluster CA given (" + a.tls().setting() + ")" : "the JVM's trust store",
        s.namespaces().isEmpty() ? "all the account may list" : s.namespaces(),
        s.labelSelector() == null ? "none" : s.labelSelector());
  }

  /** One VNC connection per VMI: every viewer shares the gateway's one upstream. */
  @Override
  public Sharing sharing(String targetId) {
    return Sharing.FAN_OUT;
  }

  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    KubeVirtSettings s = settings;
    if (s.namespaces().isEmpty()) {
      return call(() -> list(null, s), new Request("list", "kubevirt.io", "virtualmachineinstances", null));
    }
    List<CompletableFuture<List<TargetInfo>>> parts = new ArrayList<>();
    for (String ns : s.namespaces()) {
      parts.add(call(() -> list(ns, s), new Request("list", "kubevirt.io", "virtualmachineinstances", ns)));
    }
    // every namespace must answer: a partial list would hide VMIs without a word
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> parts.stream().flatMap(p -> p.join().stream()).toList())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(unwrap(e)));
  }

  private List<TargetInfo> list(String namespace, KubeVirtSettings s) {
    return api.list(namespace, s.labelSelector()).stream().map(KubeVirtTargetProvider::info).toList();
  }

  private static TargetInfo info(Vmi vmi) {
    Map<String, String> labels = new LinkedHashMap<>(vmi.labels());
    labels.put("namespace", vmi.namespace());
    labels.put("phase", vmi.phase());
    if (vmi.node() != null) labels.put("node", vmi.node());
    return new TargetInfo(vmi.targetId(), vmi.name(), labels, Set.of());
  }

  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    Matcher m = ID.matcher(targetId);
    if (!m.matches()) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.NOT_FOUND, "no such target: " + targetId
          + " (KubeVirt targets are kubevirt/<namespace>/<vmi>)"));
    }
    String ns = m.group(1);
    String name = m.group(2);
    KubeVirtSettings s = settings;
    if (!s.namespaces().isEmpty() && !s.namespaces().contains(ns)) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.NOT_FOUND, "VMI " + ns + "/" + name
          + " is not offered: namespace " + ns + " is not in " + s.key("namespaces") + " " + s.namespaces()));
    }
    return call(() -> route(ns, name), new Request("get", "kubevirt.io", "virtualmachineinstances", ns));
  }

  private TargetRoute route(String ns, String name) {
    Vmi vmi = api.get(ns, name).orElseThrow(() -> new ProviderException(Kind.NOT_FOUND, "no VMI " + name
        + " in namespace " + ns + " (deleted, or its VirtualMachine is stopped: a stopped VM has no VMI)"));
    if (selector != null && !selector.matches(vmi.labels())) {
      throw new ProviderException(Kind.NOT_FOUND, "VMI " + vmi.key() + " is not offered: its labels do not match "
          + settings.key("label-selector") + " \"" + settings.labelSelector() + "\"");
    }
    if (!"Running".equals(vmi.phase())) {
      throw new ProviderException(Kind.UNAVAILABLE, "VMI " + vmi.key() + " is " + vmi.phase() + ", not Running: "
          + switch (vmi.phase()) {
            case "Pending", "Scheduling", "Scheduled" -> "it is starting; wait until it runs (kubectl get vmi "
                + name + " -n " + ns + ") and open it again";
            default -> "start it (virtctl start " + name + " -n " + ns + ", or spec.runStrategy: Always on its"
                + " VirtualMachine) and open it again";
          });
    }
    ClusterAccess a = access;
    URI api = a.apiUrl();
    URI uri = URI.create("wss://" + api.getRawAuthority() + (api.getRawPath() == null ? "" : api.getRawPath())
        + "/apis/subresources.kubevirt.io/v1/namespaces/" + ns + "/virtualmachineinstances/" + name + "/vnc");
    Secret bearer = a.bearer();
    Map<String, Secret> headers = bearer == null ? Map.of() : Map.of("Authorization", Secret.of("Bearer " + bearer.reveal()));
    Route.WebSocket route = new Route.WebSocket(uri, headers, List.of(VNC_SUBPROTOCOL), a.tls(),
        Route.WebSocket.DEFAULT_MAX_FRAME_BYTES);
    log.debug("kubevirt {}: VMI Running on node {}", vmi.targetId(), vmi.node());
    // libvirt's VNC socket in the virt-launcher pod has no password: RBAC on the vnc subresource is the gate
    return new TargetRoute(route, new Credentials.None());
  }

  /**
   * The VMI's phase now: gone (deleted, or its VirtualMachine stopped), stopped, failed; empty
   * while it runs. The console closes a moment before the API shows the end, so a VMI that still
   * looks Running is looked at again, 150 ms apart, up to four times in all.
   */
  @Override
  public CompletionStage<Optional<String>> whyEnded(String targetId, Caller caller) {
    Matcher m = ID.matcher(targetId);
    if (!m.matches()) return CompletableFuture.completedFuture(Optional.empty());
    return whyEnded(m.group(1), m.group(2), 1);
  }

  private CompletableFuture<Optional<String>> whyEnded(String ns, String name, int look) {
    CompletableFuture<Optional<String>> now = call(() -> api.get(ns, name).map(vmi -> switch (vmi.phase()) {
      case "Running" -> "";
      case "Succeeded" -> "VMI " + vmi.key() + " stopped (its guest shut down, or it was stopped)";
      case "Failed" -> "VMI " + vmi.key() + " failed (kubectl describe vmi " + name + " -n " + ns + ")";
      default -> "VMI " + vmi.key() + " is " + vmi.phase();
    }).or(() -> Optional.of("VMI " + ns + "/" + name + " is gone (deleted, or its VirtualMachine was stopped)"))
        .filter(words -> !words.isEmpty()), new Request("get", "kubevirt.io", "virtualmachineinstances", ns));
    if (look >= 4) return now;
    return now.thenCompose(words -> words.isPresent() ? CompletableFuture.completedFuture(words)
        : CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS))
            .thenCompose(v -> whyEnded(ns, name, look + 1)));
  }

  private <T> CompletableFuture<T> call(Supplier<T> work, Request request) {
    CompletableFuture<T> out = new CompletableFuture<>();
    ClusterAccess a = access;
    try {
      executor.execute(() -> {
        try {
          out.complete(work.get());
        } catch (ProviderException e) {
          out.completeExceptionally(e);
        } catch (RuntimeException e) {
          out.completeExceptionally(KubeErrors.explain(e, request, a));
        }
      });
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(new ProviderException(Kind.UNAVAILABLE, "the kubevirt provider is stopped"));
    }
    return out;
  }

  @Override
  public void stop() {
    if (executor != null) executor.shutdownNow();
    if (api != null) api.close();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }
}
