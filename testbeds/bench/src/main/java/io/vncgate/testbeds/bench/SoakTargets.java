package io.vncgate.testbeds.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vncgate.testbeds.XvncServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The soak's VNC servers, one static target each: a real Xvnc with a VNC password, the bench's
 * synthetic server, a port nothing listens on, an Xvnc the soak kills and restarts on the same
 * port, a server that accepts and never speaks, and one that sends its banner and hangs up on the
 * answer (a target dropping mid-handshake).
 */
final class SoakTargets implements AutoCloseable {
  static final String XVNC = "xvnc";
  static final String SYNTH = "synth";
  static final String REFUSED = "refused";
  static final String KILLED = "killed";
  static final String SILENT = "silent";
  static final String HALFWAY = "halfway";
  static final int WIDTH = 256;
  static final int HEIGHT = 192;
  private static final String PASSWORD = "soak-pw1";

  private final XvncServer xvnc;
  private final SyntheticRfbServer synth;
  private final int synthPort;
  private final int refusedPort;
  private final int killedPort;
  private final NetServer silent;
  private final NetServer halfway;
  private XvncServer killed;
  private int kills;

  private SoakTargets(XvncServer xvnc, SyntheticRfbServer synth, int synthPort, int refusedPort, int killedPort,
      NetServer silent, NetServer halfway) {
    this.xvnc = xvnc;
    this.synth = synth;
    this.synthPort = synthPort;
    this.refusedPort = refusedPort;
    this.killedPort = killedPort;
    this.silent = silent;
    this.halfway = halfway;
  }

  /** Starts every server (the killable Xvnc too); blocks for a few hundred ms. */
  static SoakTargets start(Vertx vertx) {
    XvncServer.require();
    XvncServer xvnc = real().password(PASSWORD).start();
    try {
      SyntheticRfbServer synth = new SyntheticRfbServer(vertx, WIDTH, HEIGHT);
      int synthPort = Phases.await(synth.listen(), 10);
      NetServer silent = Phases.await(listen(vertx, s -> { }), 10);
      NetServer halfway = Phases.await(listen(vertx, SoakTargets::hangUpOnAnswer), 10);
      SoakTargets t = new SoakTargets(xvnc, synth, synthPort, RelayProcess.freePort(), RelayProcess.freePort(),
          silent, halfway);
      t.restartKilled();
      return t;
    } catch (RuntimeException e) {
      xvnc.close();
      throw e;
    }
  }

  /** Xvnc as the soak runs it: small screen, TigerVNC's blacklist off (the soak hangs up before auth on purpose, often). */
  private static XvncServer.Builder real() {
    return XvncServer.builder().geometry(WIDTH, HEIGHT).blacklist(false).timeout(Duration.ofSeconds(20));
  }

  private static Future<NetServer> listen(Vertx vertx, io.vertx.core.Handler<NetSocket> onConnect) {
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setAcceptBacklog(1024));
    return server.connectHandler(socket -> {
      socket.exceptionHandler(e -> socket.close());
      onConnect.handle(socket);
    }).listen();
  }

  /** Sends an RFB 3.8 banner and closes the connection when the gateway answers it. */
  private static void hangUpOnAnswer(NetSocket socket) {
    socket.handler(data -> socket.close());
    socket.write(Buffer.buffer("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)));
  }

  /** The gateway's static targets, in the order of the constants above. */
  List<GatewaySetup.Target> targets() {
    return List.of(
        new GatewaySetup.Target(XVNC, "Xvnc with a VNC password", xvnc.port(), xvnc.passwordFile()),
        new GatewaySetup.Target(SYNTH, "Synthetic RFB server", synthPort, null),
        new GatewaySetup.Target(REFUSED, "Nothing listens here", refusedPort, null),
        new GatewaySetup.Target(KILLED, "Xvnc killed and restarted", killedPort, null),
        new GatewaySetup.Target(SILENT, "Accepts and never speaks", silent.actualPort(), null),
        new GatewaySetup.Target(HALFWAY, "Hangs up mid-handshake", halfway.actualPort(), null));
  }

  /** SIGKILL to the killable Xvnc (its connections die with it). */
  synchronized void kill() {
    if (killed != null) {
      killed.kill();
      killed = null;
      kills++;
    }
  }

  /** Starts the killable Xvnc again on its port; returns once it completed an RFB handshake. */
  synchronized void restartKilled() {
    if (killed == null) killed = real().port(killedPort).start();
  }

  synchronized int kills() {
    return kills;
  }

  static String ref(String id) {
    return "static/" + id;
  }

  @Override
  public synchronized void close() {
    if (killed != null) killed.close();
    xvnc.close();
    synth.close();
    silent.close();
    halfway.close();
  }
}
