package io.vncgate.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.Gateway;
import io.vncgate.spi.Route;
import io.vncgate.testbeds.XvncServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TigerVNC Xvnc listening on {@code -rfbunixpath} (mode 0600), reached through the
 * connector on the gateway's own Vert.x (epoll) and on plain NIO; failures in words.
 */
@Timeout(60)
class UnixSocketConnectorTest {
  @TempDir
  static Path dir;
  static XvncServer xvnc;
  static Path socket;

  @BeforeAll
  static void startXvnc() {
    socket = dir.resolve("desk.sock");
    xvnc = XvncServer.builder().geometry(320, 200)
        .extraArgs("-rfbunixpath", socket.toString(), "-rfbunixmode", "0600").start();
  }

  @AfterAll
  static void stopXvnc() {
    if (xvnc != null) xvnc.close();
  }

  @Test
  void xvncsUnixSocketIsMode0600() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
  }

  @Test
  void epollReachesXvncsBanner() throws Exception {
    Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
    try {
      assertTrue(vertx.isNativeTransportEnabled(), "the gateway runs on epoll here");
      assertEquals("RFB 003.008\n", banner(vertx));
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  /** `vncgate demo` and embedders may run Vert.x on NIO: on Java 16+ it has unix sockets too. */
  @Test
  void nioReachesXvncsBannerToo() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      assertEquals("RFB 003.008\n", banner(vertx));
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMissingSocketFailsInWords() throws Exception {
    Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
    UnixSocketConnector connector = new UnixSocketConnector(vertx, Duration.ofSeconds(5));
    try {
      Path missing = dir.resolve("nobody.sock");
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> connector.connect(new Route.UnixSocket(missing)).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof TransportException, e.getCause().toString());
      assertEquals("no unix socket at " + missing + " (the VNC server is not running)", e.getCause().getMessage());
    } finally {
      connector.close().await(5, TimeUnit.SECONDS);
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFileThatIsNotASocketFailsInWords() throws Exception {
    Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
    UnixSocketConnector connector = new UnixSocketConnector(vertx, Duration.ofSeconds(5));
    try {
      Path plain = Files.writeString(dir.resolve("plain.sock"), "not a socket");
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> connector.connect(new Route.UnixSocket(plain)).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS));
      assertEquals("connection refused at the unix socket " + plain + " (nothing listens on it)", e.getCause().getMessage());
    } finally {
      connector.close().await(5, TimeUnit.SECONDS);
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  /** Connects through the connector on an event loop and returns the first 12 bytes the server sends. */
  private static String banner(Vertx vertx) throws Exception {
    UnixSocketConnector connector = new UnixSocketConnector(vertx, Duration.ofSeconds(5));
    assertTrue(connector.supported());
    OnContext on = new OnContext(vertx.getOrCreateContext());
    try {
      Upstream up = on.await(() -> connector.connect(new Route.UnixSocket(socket)));
      assertEquals("unix:" + socket, up.describe());
      CompletableFuture<String> banner = new CompletableFuture<>();
      Buffer got = Buffer.buffer();
      on.onContext(() -> {
        up.input().handler(b -> {
          got.appendBuffer(b);
          if (got.length() >= 12) banner.complete(got.getString(0, 12, StandardCharsets.US_ASCII.name()));
        });
        up.input().resume();
      });
      String text = banner.get(10, TimeUnit.SECONDS);
      on.await(up::close);
      return text;
    } finally {
      connector.close().await(5, TimeUnit.SECONDS);
    }
  }
}
