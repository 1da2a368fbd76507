package io.vncgate.testbeds.pve;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vncgate.testbeds.TestbedException;
import io.vncgate.testbeds.impl.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Proxmox VE API node on loopback that speaks PVE's wire format over HTTPS, in front of real
 * QEMU VNC servers ({@link io.vncgate.testbeds.qemu.QemuVncServer}).
 *
 * <ul>
 *   <li>TLS with a certificate made at start, signed by a fresh cluster CA: trust {@link #caFile()}
 *       or pin {@link #fingerprint()} ({@code AB:CD:…}, SHA-256, as {@code pvenode cert info}).</li>
 *   <li>{@code /api2/json/…} with {@code {"data": …}} envelopes; failures carry {@code message}
 *       (and {@code errors} for 400), the message's first line is the HTTP reason phrase.</li>
 *   <li>Auth: {@code Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET}, or the
 *       {@code PVEAuthCookie} from {@code POST /access/ticket} plus a {@code CSRFPreventionToken}
 *       header on POSTs. A refused one is {@code 401} with the reason phrase only
 *       ("Authentication failed!", "No ticket", "Permission denied - invalid csrf token") and no
 *       body, delayed like every 401 (3 s on PVE; {@link Builder#unauthorizedDelay}).</li>
 *   <li>{@code GET /cluster/resources[?type=vm]}: the guests the caller has VM.Audit on (and nodes);
 *       guests on an offline node have status {@code unknown}.</li>
 *   <li>{@code GET /nodes/{node}/{qemu|lxc}/{vmid}/status/current}; for an offline node
 *       {@code 595 Errors during connection establishment, proxy handshake: No route to host}
 *       (the API node cannot proxy there).</li>
 *   <li>{@code POST …/vncproxy} ({@code websocket=1}): {@code {user, ticket, password, cert, port,
 *       upid}} — {@code port} is a JSON string as on real PVE. Needs VM.Console on
 *       {@code /vms/<vmid>} ({@code 403 Permission check failed (/vms/100, VM.Console)}). Like
 *       qemu-server it does not check that the guest runs.</li>
 *   <li>{@code GET …/vncwebsocket?port=&vncticket=} with a WebSocket upgrade: same auth,
 *       VM.Console, then the ticket must be bound to this user, guest and port and be younger than
 *       40 s ({@code 401 permission denied - invalid PVEVNC ticket}). Then pveproxy connects to the
 *       vncproxy worker on that port; the worker accepts ONE connection within 10 s — otherwise
 *       nobody listens, and the upgrade gets no answer at all while the connection stays open, as
 *       pveproxy does (its connect callback dies outside the eval that would answer, and the
 *       request's handle has no timeout then). A wrong port fails the ticket's signature: 401.
 *       Accepted: {@code 101} echoing the {@code binary} subprotocol; the worker sets the guest's
 *       VNC password to the vncproxy {@code password} through QMP ({@code set_password},
 *       {@code expire_password +30}) and relays binary frames (≤ 128 KiB, unfragmented) ⇄ QEMU's VNC
 *       port. For a stopped guest or an offline node the worker fails and the WebSocket is closed
 *       right after the 101 (no close frame); its task status says "Failed to run vncproxy.".</li>
 *   <li>{@code GET /nodes/{node}/tasks/{upid}/status}: the vncproxy worker's task.</li>
 * </ul>
 *
 * <p>Every call is recorded ({@link #calls()}), with its request line: the vncwebsocket URL
 * carries the ticket by PVE's design. Ticket and worker windows follow {@link #advanceClock}.
 */
public final class PveTestbed implements AutoCloseable {

  private final Vertx vertx;
  private final HttpServer server;
  private final PveState state;
  private final PveCertificates certificates;
  private final Path workDir;

  private PveTestbed(Vertx vertx, HttpServer server, PveState state, PveCertificates certificates, Path workDir) {
    this.vertx = vertx;
    this.server = server;
    this.state = state;
    this.certificates = certificates;
    this.workDir = workDir;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code https://127.0.0.1:<port>} — what a PVE user writes as {@code https://pve1:8006}. */
  public String url() {
    return "https://127.0.0.1:" + port();
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return server.actualPort();
  }

  /** The API node's name ({@code pve1} unless set). */
  public String node() {
    return state.apiNode();
  }

  /** SHA-256 of the API certificate, {@code AB:CD:…} upper-case hex as PVE shows it. */
  public String fingerprint() {
    return certificates.fingerprint();
  }

  /** The cluster CA ({@code pve-root-ca.pem}) that signed the API certificate; also vncproxy's {@code cert}. */
  public Path caFile() {
    return certificates.caFile();
  }

  /** The API certificate itself ({@code pve-ssl.pem}). */
  public Path certFile() {
    return certificates.certFile();
  }

  /** Every call answered so far, in order. */
  public List<PveCall> calls() {
    return state.calls();
  }

  /** The request lines ({@code METHOD path?query}) of every call so far. */
  public List<String> requestLines() {
    return state.calls().stream().map(PveCall::requestLine).toList();
  }

  /** How many {@code vncproxy} calls guest {@code vmid} got (any outcome). */
  public long vncProxyCount(int vmid) {
    return state.calls().stream().filter(c -> c.isVncProxy(vmid)).count();
  }

  /** How many {@code vncwebsocket} calls guest {@code vmid} got (any outcome). */
  public long vncWebSocketCount(int vmid) {
    return state.calls().stream().filter(c -> c.isVncWebSocket(vmid)).count();
  }

  /** WebSockets accepted and not yet closed. */
  public int liveConsoles() {
    return state.liveConsoles();
  }

  /** WebSocket pings received on console streams so far (answered with pongs, as pveproxy does). */
  public long consolePings() {
    return state.consolePings();
  }

  /** vncproxy workers still waiting for their one connection. */
  public int listeningWorkers() {
    return state.workers().listeningCount(state.nowMillis());
  }

  /** The guest as configured now. */
  public PveGuest guest(int vmid) {
    return state.guest(vmid);
  }

  /** Replaces (or adds) a guest, e.g. {@code guest(100).withStatus("stopped")}. */
  public void putGuest(PveGuest guest) {
    state.putGuest(Objects.requireNonNull(guest, "guest"));
  }

  /**
   * Moves the testbed's clock forward: VNC tickets older than 40 s and vncproxy workers older
   * than 10 s behave as if that time had passed, without waiting.
   */
  public void advanceClock(Duration by) {
    state.advanceClock(by.toMillis());
  }

  /**
   * The next {@code count} {@code vncproxy} answers each move the clock forward by {@code late}
   * once sent, as if the gateway reached the node that much later: over 10 s the console worker
   * has stopped waiting (the upgrade gets no answer), over 40 s the ticket has expired (401).
   */
  public void lateConsoles(Duration late, int count) {
    state.lateConsoles(late.toMillis(), count);
  }

  /**
   * The next console's WebSocket is upgraded at once but reaches its VNC server only after
   * {@code hold} (a slow node): for tests of what waits behind a console being opened.
   */
  public void holdNextConsole(Duration hold) {
    state.holdNextConsole(hold.toMillis());
  }

  /** Stops the server and drops every console; the QEMU servers belong to the caller. */
  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new TestbedException("PVE testbed did not stop: " + e, e);
    } finally {
      Launcher.deleteTree(workDir);
    }
  }

  public static final class Builder {
    private String node = "pve1";
    private final List<PveGuest> guests = new ArrayList<>();
    private final Map<String, PveState.Principal> tokens = new LinkedHashMap<>();
    private final Map<String, PveState.Principal> users = new LinkedHashMap<>();
    private final Set<String> offlineNodes = new LinkedHashSet<>();
    private Duration unauthorizedDelay = Duration.ofSeconds(3);

    private Builder() {
    }

    /** The API node's name (certificate and UPIDs); default {@code pve1}. */
    public Builder node(String name) {
      this.node = Objects.requireNonNull(name, "node");
      return this;
    }

    public Builder guest(PveGuest guest) {
      guests.add(Objects.requireNonNull(guest, "guest"));
      return this;
    }

    /**
     * An API token {@code USER@REALM!TOKENID} with its secret (PVE shows a UUID) and what it may do
     * (with privilege separation, the token's own ACL).
     */
    public Builder token(String tokenId, String secret, PvePermissions permissions) {
      if (!tokenId.matches("[^@!\\s]+@[^@!\\s]+![A-Za-z][A-Za-z0-9._-]*")) {
        throw new IllegalArgumentException("token id must look like user@realm!name, got " + tokenId);
      }
      tokens.put(tokenId, new PveState.Principal(secret, permissions));
      return this;
    }

    /** A user {@code USER@REALM} who logs in with a password at {@code /access/ticket}. */
    public Builder user(String userId, String password, PvePermissions permissions) {
      if (!userId.matches("[^@!\\s]+@[^@!\\s]+")) {
        throw new IllegalArgumentException("user id must look like user@realm, got " + userId);
      }
      users.put(userId, new PveState.Principal(password, permissions));
      return this;
    }

    /** A cluster node the API node cannot reach (proxied calls answer 595 "No route to host"). */
    public Builder offlineNode(String name) {
      offlineNodes.add(name);
      return this;
    }

    /** How long 401 answers wait; PVE waits 3 s (the default). */
    public Builder unauthorizedDelay(Duration delay) {
      this.unauthorizedDelay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /** Makes the certificates and listens on a free loopback port. */
    public PveTestbed start() {
      if (offlineNodes.contains(node)) {
        throw new IllegalArgumentException("the API node " + node + " cannot be offline");
      }
      Path dir = Launcher.workDir("vncgate-pve-");
      Vertx vertx = Vertx.vertx();
      try {
        PveCertificates certs = PveCertificates.create(dir, node);
        PveState state = new PveState(node, guests, tokens, users, offlineNodes, unauthorizedDelay.toMillis());
        state.caPem(Files.readString(certs.caFile()));
        ConsoleRelay relay = new ConsoleRelay(vertx, vertx.createNetClient(new NetClientOptions()
            .setConnectTimeout(5_000).setTcpNoDelay(true)), state::consolePinged);
        HttpServerOptions options = new HttpServerOptions()
            .setHost("127.0.0.1").setPort(0).setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(certs.certFile().toString()).setKeyPath(certs.keyFile().toString()))
            .setWebSocketSubProtocols(List.of("binary", "base64"))
            // frames up to 1 MiB reach the relay, which drops the connection over 128 KiB as PVE does
            .setMaxWebSocketFrameSize(1 << 20)
            .setMaxWebSocketMessageSize(1 << 20);
        HttpServer server = vertx.createHttpServer(options).requestHandler(new PveApi(vertx, state, relay));
        await(server.listen());
        return new PveTestbed(vertx, server, state, certs, dir);
      } catch (IOException | RuntimeException e) {
        vertx.close();
        Launcher.deleteTree(dir);
        throw e instanceof TestbedException t ? t : new TestbedException("PVE testbed did not start: " + e, e);
      }
    }

    private static <T> T await(Future<T> future) {
      try {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted while starting the PVE testbed", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new TestbedException("PVE testbed did not listen: " + e, e);
      }
    }
  }
}
