package io.vncgate.gateway.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;
import io.vertx.junit5.VertxExtension;
import io.vncgate.gateway.transport.TcpConnector;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.spi.Route;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server-to-viewer relay hands the server's Netty buffers to the viewer's channel without
 * copying them. These tests hold it to the contract of a Vert.x pipe: every byte arrives once and
 * in order (also the ones read before the relay took over), a slow viewer pauses the server's
 * socket instead of filling memory, and the pipe ends when the server closes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZeroCopyRelayTest {
  private static final int TOTAL = 24 * 1024 * 1024;

  Vertx vertx;
  TcpConnector connector;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    connector = new TcpConnector(vertx, Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** byte i of the server's stream */
  static byte at(long i) {
    return (byte) (i * 31 + (i >>> 8));
  }

  /** Sends {@code TOTAL} patterned bytes as fast as the socket takes them, then closes. */
  Future<NetServer> server(AtomicLong sent) {
    return vertx.createNetServer().connectHandler(s -> flood(s, sent, 0)).listen(0, "127.0.0.1");
  }

  private static void flood(NetSocket s, AtomicLong sent, long from) {
    long at = from;
    while (at < TOTAL && !s.writeQueueFull()) {
      int n = (int) Math.min(64 * 1024, TOTAL - at);
      byte[] chunk = new byte[n];
      for (int i = 0; i < n; i++) chunk[i] = at(at + i);
      at += n;
      sent.set(at); // before the write: once written, the viewer may have it before this line runs
      s.write(Buffer.buffer(chunk));
    }
    if (at >= TOTAL) {
      // the drain handler of an earlier round would run this again from where it stood
      s.drainHandler(null);
      s.end();
      return;
    }
    long next = at;
    s.drainHandler(v -> flood(s, sent, next));
  }

  /**
   * The gateway side: a TCP "front" whose connections are relayed from the server; the first
   * {@code handshakeBytes} are read through the handler (as the RFB handshake does) before the pipe.
   */
  Future<NetServer> relay(int serverPort, int handshakeBytes, AtomicLong relayed, Promise<Void> pipeDone) {
    return vertx.createNetServer().connectHandler(viewerSocket -> {
      SocketStreams viewer = SocketStreams.viewer(viewerSocket);
      connector.connect(new Route.Tcp("127.0.0.1", serverPort)).onSuccess(up -> {
        AtomicLong seen = new AtomicLong();
        up.input().handler(b -> {
          viewer.output().write(b);
          if (seen.addAndGet(b.length()) >= handshakeBytes) {
            up.input().pause();
            up.input().handler(null);
            startPipe(up, viewer, relayed, pipeDone);
          }
        });
        up.input().resume();
      });
    }).listen(0, "127.0.0.1");
  }

  private static void startPipe(Upstream up, SocketStreams viewer, AtomicLong relayed, Promise<Void> done) {
    Pipe<Buffer> pipe = up.input().pipe();
    pipe.endOnComplete(false);
    pipe.to(new CountingWriteStream(viewer.output(), relayed, () -> { })).onComplete(ar -> {
      viewer.end();
      if (ar.succeeded()) done.tryComplete();
      else done.tryFail(ar.cause());
    });
  }

  @Test
  void everyByteArrivesOnceAndInOrderAcrossTheHandshakeHandOver() throws Exception {
    AtomicLong sent = new AtomicLong();
    AtomicLong relayed = new AtomicLong();
    Promise<Void> done = Promise.promise();
    int serverPort = await(server(sent)).actualPort();
    int front = await(relay(serverPort, 100, relayed, done)).actualPort();

    long read = readAll(front, 0);

    assertEquals(TOTAL, read);
    await(done.future());
    assertTrue(relayed.get() > TOTAL - 256 * 1024, "the bulk went through the relay: " + relayed.get());
  }

  @Test
  void aSlowViewerPausesTheServerInsteadOfFillingMemory() throws Exception {
    AtomicLong sent = new AtomicLong();
    AtomicLong relayed = new AtomicLong();
    Promise<Void> done = Promise.promise();
    int serverPort = await(server(sent)).actualPort();
    int front = await(relay(serverPort, 1, relayed, done)).actualPort();

    AtomicReference<Long> relayedWhileStalled = new AtomicReference<>();
    long read = readAll(front, 1500, () -> relayedWhileStalled.set(relayed.get()));

    assertEquals(TOTAL, read);
    // while the viewer read nothing for 1.5 s the relay took no more than the viewer's socket
    // buffers (the kernel's, a few MiB at most), its 1 MiB write-buffer mark and one read
    assertTrue(relayedWhileStalled.get() < 8 * 1024 * 1024, "the relay took " + relayedWhileStalled.get() + " bytes");
    assertTrue(sent.get() == TOTAL, "and then everything");
  }

  @Test
  void whatTheServerSendsAtOnceWaitsUntilTheHandshakeReadsIt() throws Exception {
    NetServer banner = await(vertx.createNetServer()
        .connectHandler(s -> s.write(Buffer.buffer("RFB 003.008\n")))
        .listen(0, "127.0.0.1"));
    CompletableFuture<String> got = new CompletableFuture<>();
    vertx.runOnContext(v -> connector.connect(new Route.Tcp("127.0.0.1", banner.actualPort())).onSuccess(up ->
        // the banner is in before anyone reads; the timer runs on the socket's own context
        vertx.setTimer(300, t -> {
          up.input().handler(b -> {
            got.complete(b.toString());
            up.close();
          });
          up.input().resume();
        })));
    assertEquals("RFB 003.008\n", got.get(10, TimeUnit.SECONDS));
  }

  private static long readAll(int port, long stallMs) throws Exception {
    return readAll(port, stallMs, () -> { });
  }

  /** Reads everything, checking the pattern; first reads nothing for {@code stallMs}. */
  private static long readAll(int port, long stallMs, Runnable afterStall) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setReceiveBufferSize(64 * 1024);
      InputStream in = s.getInputStream();
      if (stallMs > 0) {
        Thread.sleep(stallMs);
        afterStall.run();
      }
      byte[] buf = new byte[64 * 1024];
      long at = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] != at(at + i)) throw new AssertionError("byte " + (at + i) + " is wrong");
        }
        at += n;
      }
      return at;
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    CompletableFuture<T> c = f.toCompletionStage().toCompletableFuture();
    return c.get(30, TimeUnit.SECONDS);
  }
}
