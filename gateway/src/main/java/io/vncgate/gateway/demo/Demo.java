package io.vncgate.gateway.demo;

import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.TempDirs;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.front.ListenFailure;
import io.vncgate.gateway.ui.WebUi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vncgate demo}: a gateway on 127.0.0.1 with a generated config in a temp folder (random
 * JWT secret, 30 s tickets), the in-process demo desktop as target {@code static/demo}, and, when
 * Xvnc is installed, a real X desktop as {@code static/xvnc}. Everything stops with {@link #close}.
 */
public final class Demo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  public static final String DEMO_TARGET = "static/demo";
  public static final String XVNC_TARGET = "static/xvnc";

  /**
   * @param port the gateway's port on 127.0.0.1 (0: any free port)
   * @param tls serve https:// and wss:// with a self-signed certificate made for this run
   */
  public record Options(int port, boolean xvnc, Duration tokenTtl, String user, boolean tls) {
    public Options(int port, boolean xvnc, Duration tokenTtl, String user) {
      this(port, xvnc, tokenTtl, user, false);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final Path dir;
  private final List<String> notes = new ArrayList<>();
  private DemoRfbServer desktop;
  private XvncDesktop xvnc;
  private Gateway gateway;
  private String url;

  private Demo(Path dir) {
    this.dir = dir;
  }

  public static Demo start(Options options) throws Exception {
    Demo demo = new Demo(TempDirs.create("vncgate-demo-"));
    try {
      demo.startAll(options);
      return demo;
    } catch (Exception e) {
      demo.close();
      throw e;
    }
  }

  private void startAll(Options options) throws Exception {
    XvncDesktop.sweepOrphans(); // the demo's folders are swept by TempDirs.create
    desktop = new DemoRfbServer();
    vertx.deployVerticle(desktop).await(30, TimeUnit.SECONDS);
    notes.add("demo desktop: an RFB server in this process on 127.0.0.1:" + desktop.port() + " (text: "
        + desktop.textRendering() + ")");
    if (options.xvnc() && XvncDesktop.available()) {
      try {
        xvnc = XvncDesktop.start(dir);
        notes.add("X desktop: Xvnc :" + xvnc.display() + " on 127.0.0.1:" + xvnc.port()
            + (XvncDesktop.which("xterm").isPresent() ? " with an xterm" : " (install xterm for a terminal in it)"));
      } catch (IOException e) {
        log.warn("the X desktop is not available: {}", e.getMessage());
        notes.add("X desktop: Xvnc did not start (" + e.getMessage() + ")");
      }
    } else if (options.xvnc()) {
      notes.add("X desktop: not offered (install TigerVNC's Xvnc, e.g. apt-get install tigervnc-standalone-server)");
    }
    if (options.tls()) selfSignedCertificate();
    Path config = writeConfig(options.port(), options.tls());
    var loaded = ConfigLoader.load(config);
    // the signing key lives in memory from here: a demo killed with -9 leaves no key on disk
    Files.deleteIfExists(dir.resolve("jwt.key"));
    try {
      gateway = Gateway.start(vertx, loaded, List.of(WebUi.mountFor(loaded))).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof ListenFailure.PortInUse p) {
        throw new IllegalStateException("port " + p.port() + " is in use"
            + (p.pid().isPresent() ? " (by pid " + p.pid().getAsLong() + ")" : "") + " on 127.0.0.1: choose --port or stop it", e);
      }
      throw e;
    }
    String token = gateway.jwt().mint(options.user(), List.of("**"), Role.CONTROL, options.tokenTtl());
    if (options.tls()) {
      notes.add("TLS: a self-signed certificate made for this run (browsers warn; accept it for 127.0.0.1): "
          + gateway.tlsCertificate());
    }
    url = loaded.server().scheme() + "://127.0.0.1:" + gateway.httpPort() + loaded.server().pathPrefix() + "/#token=" + token + "&target=" + DEMO_TARGET;
  }

  /**
   * {@code tls.crt} and {@code tls.key} (mode 0600) in the demo's folder: a self-signed certificate
   * for localhost from Vert.x's generator (no openssl needed), deleted with the folder.
   */
  private void selfSignedCertificate() throws IOException {
    SelfSignedCertificate made = SelfSignedCertificate.create("localhost");
    try {
      Path key = dir.resolve("tls.key");
      Files.createFile(key);
      try {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the temp folder is the user's own
      }
      Files.write(key, Files.readAllBytes(Path.of(made.privateKeyPath())));
      Files.copy(Path.of(made.certificatePath()), dir.resolve("tls.crt"));
    } finally {
      made.delete();
    }
  }

  private Path writeConfig(int port, boolean tls) throws IOException {
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    Path key = dir.resolve("jwt.key");
    Files.writeString(key, Base64.getEncoder().encodeToString(secret) + "\n");
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // the temp folder is the user's own
    }
    StringBuilder yaml = new StringBuilder()
        .append("# generated by `vncgate demo`; deleted when it stops (its jwt.key as soon as it is read)\n")
        .append("server:\n  host: 127.0.0.1\n  port: ").append(port).append("\n  tcp: {enabled: false}\n")
        .append(tls ? "  tls: {cert-file: tls.crt, key-file: tls.key}\n" : "")
        .append("auth:\n  jwt: {algorithm: HS256, secret-file: jwt.key}\n  tickets: {ttl: 30s}\n")
        .append("providers:\n  static:\n    targets:\n")
        .append("      - id: demo\n        name: Demo desktop (built in)\n        host: 127.0.0.1\n        port: ")
        .append(desktop.port()).append("\n        labels: {kind: demo}\n");
    if (xvnc != null) {
      yaml.append("      - id: xvnc\n        name: X desktop (Xvnc :").append(xvnc.display())
          .append(")\n        host: 127.0.0.1\n        port: ").append(xvnc.port())
          .append("\n        labels: {kind: xvnc, os: linux}\n");
    }
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, yaml);
    return config;
  }

  /** The one URL to open: the page with a token (in the fragment) for the demo desktop. */
  public String url() {
    return url;
  }

  public Gateway gateway() {
    return gateway;
  }

  /** One line per desktop on offer, for the console. */
  public List<String> notes() {
    return notes;
  }

  @Override
  public void close() {
    try {
      if (gateway != null) gateway.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("closing the demo gateway: {}", e.getMessage());
    }
    if (xvnc != null) xvnc.close();
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("closing Vert.x: {}", e.getMessage());
    }
    TempDirs.deleteTree(dir);
  }

}
