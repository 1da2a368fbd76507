package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import io.vncgate.testbeds.RfbTestClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The viewer→server half of the relay on both fronts, with the viewer's reads handed to the server
 * as the buffers they arrived in: every allowed byte arrives once and in order whatever the reads'
 * and WebSocket frames' boundaries (messages cut across frames, fragmented WebSocket messages), and
 * a server that stops reading stops the viewer instead of filling the gateway's memory.
 */
@Timeout(120)
class ViewerToServerRelayTest {
  @TempDir static Path dir;
  static ControlledServer server;
  static GatewayHarness gw;
  /** Held: Vert.x closes a client that is no longer referenced, with its connections. */
  static WebSocketClient clients;
  static NetClient natives;

  @BeforeAll
  static void start() throws Exception {
    server = new ControlledServer();
    gw = new GatewayHarness(dir, GatewayHarness.target("ctl", server.port(), null), null);
    clients = gw.vertx.createWebSocketClient();
    natives = gw.vertx.createNetClient();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (server != null) server.close();
  }

  /** {@code n} PointerEvents and KeyEvents, each numbered, concatenated. */
  static byte[] inputStream(int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(b);
    try {
      for (int i = 0; i < n; i++) {
        if (i % 3 == 0) {
          o.writeByte(4);
          o.writeByte(i & 1);
          o.writeShort(0);
          o.writeInt(i);
        } else {
          o.writeByte(5);
          o.writeByte(i & 7);
          o.writeShort(i & 0x7fff);
          o.writeShort(i >>> 15);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return b.toByteArray();
  }

  @Test
  void everyByteArrivesInOrderThroughWebSocketFramesCutAnywhere() throws Exception {
    byte[] input = inputStream(60_000);
    WebSocket ws = webSocket();
    Random r = new Random(7);
    CompletableFuture<byte[]> got = server.expect(input.length);
    gw.vertx.runOnContext(v -> {
      int at = 0;
      while (at < input.length) {
        int n = Math.min(input.length - at, 1 + r.nextInt(3000));
        if (r.nextInt(4) == 0 && n >= 3) {
          // one WebSocket message in three fragments: binary, continuation, final continuation
          int a = n / 3;
          int b = 2 * n / 3;
          ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(Arrays.copyOfRange(input, at, at + a)), false));
          ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(input, at + a, at + b)), false));
          ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(input, at + b, at + n)), true));
        } else {
          ws.writeBinaryMessage(Buffer.buffer(Arrays.copyOfRange(input, at, at + n)));
        }
        at += n;
      }
    });
    assertArrayEquals(input, got.get(60, TimeUnit.SECONDS));
    ws.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aFragmentedTextMessageClosesWith1003AndNothingOfItIsRelayed() throws Exception {
    WebSocket ws = webSocket();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    byte[] key = inputStream(1); // a KeyEvent: it would be relayed if the continuation passed as binary
    CompletableFuture<byte[]> got = server.expect(key.length);
    ws.writeFrame(WebSocketFrame.textFrame("not rfb", false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(key), true));
    assertEquals((short) 1003, closed.get(10, TimeUnit.SECONDS));
    Thread.sleep(200);
    assertTrue(!got.isDone(), "nothing of the text message reached the server");
  }

  @Test
  void everyByteArrivesInOrderThroughTheTcpFront() throws Exception {
    byte[] input = inputStream(60_000);
    CompletableFuture<byte[]> got = server.expect(input.length);
    try (RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/ctl"));
      Random r = new Random(11);
      int at = 0;
      while (at < input.length) {
        int n = Math.min(input.length - at, 1 + r.nextInt(5000));
        viewer.send(Arrays.copyOfRange(input, at, at + n));
        at += n;
      }
      assertArrayEquals(input, got.get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void aServerThatStopsReadingStopsTheWebSocketViewer() throws Exception {
    WebSocket ws = webSocket();
    assertHeldBack(ws, () -> ws.close().await(10, TimeUnit.SECONDS));
  }

  @Test
  void aServerThatStopsReadingStopsTheNativeViewer() throws Exception {
    PipedInputStream in = new PipedInputStream(1 << 16);
    PipedOutputStream toIn = new PipedOutputStream(in);
    // the handler is set as the connection completes: the gateway's banner follows at once
    NetSocket s = natives.connect(gw.tcpPort(), "127.0.0.1")
        .map(c -> c.handler(b -> write(toIn, b.getBytes()))).await(10, TimeUnit.SECONDS);
    RfbTestClient viewer = client(in, s::write);
    viewer.handshakeVncAuth(gw.ticket("static/ctl"));
    assertHeldBack(s, () -> s.close().await(10, TimeUnit.SECONDS));
  }

  /**
   * Pumps 48 MB of input while the server reads nothing for 2 s: what the viewer got rid of
   * meanwhile is bounded by socket buffers and the gateway's write mark, not by the 48 MB; then
   * the server reads and everything arrives, in order.
   */
  private void assertHeldBack(WriteStream<Buffer> viewer, Closer close) throws Exception {
    byte[] chunk = inputStream(96_000); // 656,000 bytes
    int rounds = 48 * 1000 * 1000 / chunk.length;
    server.pause();
    CompletableFuture<byte[]> got = server.expect((long) rounds * chunk.length);
    AtomicLong accepted = new AtomicLong();
    gw.vertx.runOnContext(v -> pump(viewer, chunk, rounds, accepted));
    Thread.sleep(2000);
    long whileStalled = accepted.get();
    server.resume();
    byte[] all;
    try {
      all = got.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the relay stalled: the viewer sent " + accepted.get() + " bytes, the server read "
          + server.read + " of " + (long) rounds * chunk.length);
    }
    close.close();
    assertTrue(whileStalled < 24_000_000, "the viewer could send " + whileStalled + " bytes to a server that read nothing");
    assertEquals((long) rounds * chunk.length, all.length);
    for (int i = 0; i < rounds; i++) {
      assertArrayEquals(chunk, Arrays.copyOfRange(all, i * chunk.length, (i + 1) * chunk.length), "round " + i);
    }
  }

  interface Closer {
    void close() throws Exception;
  }

  /** Writes the chunk {@code rounds} times in pieces of 4,000 bytes (so a read holds several WebSocket frames). */
  private static void pump(WriteStream<Buffer> viewer, byte[] chunk, int rounds, AtomicLong accepted) {
    long total = (long) rounds * chunk.length;
    while (accepted.get() < total && !viewer.writeQueueFull()) {
      int at = (int) (accepted.get() % chunk.length);
      int n = Math.min(4000, chunk.length - at);
      viewer.write(Buffer.buffer(Arrays.copyOfRange(chunk, at, at + n)));
      accepted.addAndGet(n);
    }
    if (accepted.get() < total) viewer.drainHandler(v -> pump(viewer, chunk, rounds, accepted));
  }

  /** A WebSocket viewer past the RFB handshake (security None), frames of its own choosing from now on. */
  private WebSocket webSocket() throws Exception {
    String ticket = gw.ticket("static/ctl");
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort())
        .setURI("/ws/v1/connect").setSubProtocols(List.of("binary", "vncgate.ticket." + ticket))
        .addHeader("Origin", gw.origin());
    PipedInputStream in = new PipedInputStream(1 << 16);
    PipedOutputStream toIn = new PipedOutputStream(in);
    // the handler is set before the upgrade: the banner may come in the same read as the 101
    ClientWebSocket ws = clients.webSocket();
    ws.handler(b -> write(toIn, b.getBytes()));
    ws.connect(o).await(10, TimeUnit.SECONDS);
    RfbTestClient viewer = client(in, ws::writeBinaryMessage);
    viewer.handshakeNone();
    return ws;
  }

  /** An RFB client whose bytes go out through {@code send} and whose input is what the connection feeds {@code in}. */
  private static RfbTestClient client(InputStream in, Consumer<Buffer> send) {
    return RfbTestClient.over(in, new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        send.accept(Buffer.buffer(Arrays.copyOfRange(b, off, off + len)));
      }
    });
  }

  private static void write(OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // the test thread stopped reading: the bytes are not needed
    }
  }

  /**
   * An RFB 3.8 server (security None, one connection at a time) whose reading of client messages
   * the test controls: {@link #expect} collects the next bytes after ClientInit; {@link #pause}
   * stops reading them.
   */
  static final class ControlledServer implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread thread = new Thread(this::serve, "controlled-rfb-server");
    private volatile boolean paused;
    private volatile long wanted;
    private volatile CompletableFuture<byte[]> result;
    /** Bytes read towards the current expectation. */
    volatile long read;

    ControlledServer() throws IOException {
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    synchronized CompletableFuture<byte[]> expect(long bytes) {
      wanted = bytes;
      result = new CompletableFuture<>();
      return result;
    }

    void pause() {
      paused = true;
    }

    void resume() {
      paused = false;
    }

    private void serve() {
      while (!listener.isClosed()) {
        try (Socket s = listener.accept()) {
          s.setReceiveBufferSize(64 * 1024);
          DataInputStream in = new DataInputStream(s.getInputStream());
          OutputStream out = s.getOutputStream();
          out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
          in.readFully(new byte[12]);
          out.write(new byte[] {1, 1});
          in.readUnsignedByte();
          out.write(new byte[] {0, 0, 0, 0});
          in.readUnsignedByte(); // ClientInit
          ByteArrayOutputStream init = new ByteArrayOutputStream();
          DataOutputStream o = new DataOutputStream(init);
          o.writeShort(64);
          o.writeShort(48);
          o.write(new byte[] {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0});
          o.writeInt(3);
          o.write("ctl".getBytes(StandardCharsets.US_ASCII));
          out.write(init.toByteArray());
          collect(in);
        } catch (IOException e) {
          // the connection ended; wait for the next
        }
      }
    }

    /** Reads what the client sends into the current expectation, honouring pauses. */
    private void collect(InputStream in) throws IOException {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      while (true) {
        while (paused) {
          sleep();
        }
        CompletableFuture<byte[]> r = result;
        int n = in.read(buf, 0, r == null ? buf.length : (int) Math.min(buf.length, Math.max(1, wanted - got.size())));
        if (n < 0) return;
        got.write(buf, 0, n);
        read = got.size();
        if (r != null && got.size() >= wanted) {
          r.complete(got.toByteArray());
          got.reset();
        }
      }
    }

    private static void sleep() {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
