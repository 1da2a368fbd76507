package io.vncgate.testbeds.kubevirt;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vncgate.testbeds.TestbedException;
import io.vncgate.testbeds.impl.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kubernetes API server with KubeVirt on loopback, speaking the kube wire format over HTTPS in
 * front of real QEMU VNC servers ({@link io.vncgate.testbeds.qemu.QemuVncServer} started without a
 * password: libvirt's VNC socket in a virt-launcher pod has no auth, security type None).
 *
 * <ul>
 *   <li>TLS with a certificate for 127.0.0.1 signed by a fresh cluster CA ({@link #caFile()}); the
 *       kubeconfigs it writes carry that CA as {@code certificate-authority-data}.</li>
 *   <li>Authentication: {@code Authorization: Bearer <token>} (a service account's token), or a
 *       client certificate signed by the cluster CA (user = CN, as kubeadm's admin.conf). Anything
 *       else: {@code 401} {@code Status} "Unauthorized".</li>
 *   <li>RBAC per user ({@link KubeRbac}): {@code 403} {@code Status} in the authorizer's words,
 *       e.g. {@code virtualmachineinstances.kubevirt.io is forbidden: User "system:serviceaccount:vncgate:gateway"
 *       cannot list resource "virtualmachineinstances" in API group "kubevirt.io" in the namespace "lab"}.</li>
 *   <li>{@code GET /apis/kubevirt.io/v1[/namespaces/{ns}]/virtualmachineinstances[?labelSelector=]} and
 *       {@code GET …/namespaces/{ns}/virtualmachineinstances/{name}} ({@code 404} {@code Status} when absent).</li>
 *   <li>{@code GET /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}/vnc}:
 *       RBAC {@code get} on {@code virtualmachineinstances/vnc} in {@code subresources.kubevirt.io}, then
 *       virt-api's checks ({@code 404}; {@code 400} "VMI is not running"), then virt-handler's one-session
 *       rule: a new connection ends the open one, and with {@code ?preserveSession=true} an open one
 *       makes it {@code 503} "Active VNC connection. Request denied." (text/plain). Upgraded with
 *       subprotocol {@code plain.kubevirt.io} when offered; raw VNC in binary messages.</li>
 * </ul>
 */
public final class KubeVirtTestbed implements AutoCloseable {
  private final Vertx vertx;
  private final HttpServer server;
  private final KubeState state;
  private final KubeCertificates certificates;
  private final Path workDir;

  private KubeVirtTestbed(Vertx vertx, HttpServer server, KubeState state, KubeCertificates certificates, Path workDir) {
    this.vertx = vertx;
    this.server = server;
    this.state = state;
    this.certificates = certificates;
    this.workDir = workDir;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code https://127.0.0.1:<port>}, the kubeconfig's {@code server}. */
  public String url() {
    return "https://127.0.0.1:" + port();
  }

  public int port() {
    return server.actualPort();
  }

  /** The cluster CA ({@code /etc/kubernetes/pki/ca.crt}). */
  public Path caFile() {
    return certificates.caFile();
  }

  /** The user name a service account's token authenticates as: {@code system:serviceaccount:<ns>:<name>}. */
  public static String serviceAccountUser(String namespace, String name) {
    return "system:serviceaccount:" + namespace + ":" + name;
  }

  /** Adds or replaces a VMI (e.g. {@code vmi.withPhase("Succeeded")}). */
  public void putVmi(KubeVmi vmi) {
    state.put(Objects.requireNonNull(vmi, "vmi"));
  }

  /** How many VNC WebSocket upgrades the VMI accepted: the gateway's upstream connections to it. */
  public int vncConnections(String namespace, String name) {
    AtomicInteger n = state.vncConnections.get(namespace + "/" + name);
    return n == null ? 0 : n.get();
  }

  /** Whether the VMI has a VNC connection open now (at most one, by KubeVirt's rule). */
  public boolean vncOpen(String namespace, String name) {
    return state.openVnc.containsKey(namespace + "/" + name);
  }

  /** The subprotocol each accepted VNC connection of the VMI chose, in order ("null": none). */
  public List<String> vncSubprotocols(String namespace, String name) {
    return List.copyOf(state.subprotocols.getOrDefault(namespace + "/" + name, List.of()));
  }

  /** Every request so far as {@code METHOD uri user} ({@code -} when unauthenticated). */
  public List<String> requests() {
    return List.copyOf(state.requests);
  }

  /** A kubeconfig for this cluster whose user has this bearer token, the CA as {@code certificate-authority-data}. */
  public String kubeconfigWithToken(String token) {
    return kubeconfig("    token: " + token + "\n", true, false);
  }

  /** A kubeconfig whose user reads its token from a file ({@code tokenFile}). */
  public String kubeconfigWithTokenFile(Path tokenFile) {
    return kubeconfig("    tokenFile: " + tokenFile + "\n", true, false);
  }

  /**
   * A kubeconfig whose user logs in with a client certificate for {@code user} (CN) in
   * {@code group} (O), made now and signed by the cluster CA, inline as {@code client-certificate-data}
   * and {@code client-key-data} (PKCS#1 RSA, as kubeadm writes admin.conf).
   */
  public String kubeconfigWithClientCertificate(String user, String group) {
    Path[] pair = certificates.clientCertificate(user, group);
    return kubeconfig("    client-certificate-data: " + base64(pair[0]) + "\n"
        + "    client-key-data: " + base64(pair[1]) + "\n", true, false);
  }

  /** A kubeconfig with {@code insecure-skip-tls-verify: true} and no CA (what vncgate refuses). */
  public String kubeconfigInsecure(String token) {
    return kubeconfig("    token: " + token + "\n", false, true);
  }

  /** A kubeconfig with no CA at all: the server's certificate is then checked against the system's CAs. */
  public String kubeconfigWithoutCa(String token) {
    return kubeconfig("    token: " + token + "\n", false, false);
  }

  private String kubeconfig(String userLines, boolean withCa, boolean insecure) {
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: testbed\n  cluster:\n    server: " + url() + "\n"
        + (withCa ? "    certificate-authority-data: " + base64(caFile()) + "\n" : "")
        + (insecure ? "    insecure-skip-tls-verify: true\n" : "")
        + "contexts:\n- name: testbed\n  context:\n    cluster: testbed\n    user: vncgate\n    namespace: default\n"
        + "current-context: testbed\nusers:\n- name: vncgate\n  user:\n" + userLines;
  }

  private static String base64(Path file) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new TestbedException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Stops the server and drops every VNC connection; the QEMU servers belong to the caller. */
  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new TestbedException("KubeVirt testbed did not stop: " + e, e);
    } finally {
      Launcher.deleteTree(workDir);
    }
  }

  public static final class Builder {
    private final List<KubeVmi> vmis = new ArrayList<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final Map<String, KubeRbac> rbac = new LinkedHashMap<>();

    private Builder() {}

    public Builder vmi(KubeVmi vmi) {
      vmis.add(Objects.requireNonNull(vmi, "vmi"));
      return this;
    }

    /** A service account {@code system:serviceaccount:<namespace>:<name>} with this token and these rights. */
    public Builder serviceAccount(String namespace, String name, String token, KubeRbac rights) {
      String user = serviceAccountUser(namespace, name);
      tokens.put(Objects.requireNonNull(token, "token"), user);
      rbac.put(user, Objects.requireNonNull(rights, "rights"));
      return this;
    }

    /** A user who logs in with a client certificate (CN = {@code name}), with these rights. */
    public Builder user(String name, KubeRbac rights) {
      rbac.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(rights, "rights"));
      return this;
    }

    /** Makes the certificates and listens on a free loopback port. */
    public KubeVirtTestbed start() {
      Path dir = Launcher.workDir("vncgate-kubevirt-");
      Vertx vertx = Vertx.vertx();
      try {
        KubeCertificates certs = KubeCertificates.create(dir);
        KubeState state = new KubeState();
        vmis.forEach(state::put);
        state.tokens.putAll(tokens);
        state.rbac.putAll(rbac);
        VncBridge bridge = new VncBridge(vertx, vertx.createNetClient(new NetClientOptions()
            .setConnectTimeout(5_000).setTcpNoDelay(true)), state);
        HttpServerOptions options = new HttpServerOptions()
            .setHost("127.0.0.1").setPort(0).setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(certs.certFile().toString()).setKeyPath(certs.keyFile().toString()))
            // client certificates are asked for, not required (tokens work without one), checked against the cluster CA
            .setClientAuth(ClientAuth.REQUEST)
            .setTrustOptions(new PemTrustOptions().addCertPath(certs.caFile().toString()))
            .setWebSocketSubProtocols(List.of("plain.kubevirt.io"))
            .setMaxWebSocketFrameSize(1 << 20)
            .setMaxWebSocketMessageSize(1 << 20);
        HttpServer server = vertx.createHttpServer(options).requestHandler(new KubeApi(state, bridge));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new KubeVirtTestbed(vertx, server, state, certs, dir);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        vertx.close();
        Launcher.deleteTree(dir);
        throw new TestbedException("interrupted while starting the KubeVirt testbed", e);
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        vertx.close();
        Launcher.deleteTree(dir);
        throw e instanceof TestbedException t ? t : new TestbedException("KubeVirt testbed did not start: " + e, e);
      }
    }
  }

}
