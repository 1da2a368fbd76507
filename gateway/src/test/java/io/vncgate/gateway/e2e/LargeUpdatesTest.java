package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full-screen Raw updates (8 MB each) through the gateway, both ways it relays a large payload:
 * read in fewer, larger pieces (the kernel is asked to wait for more bytes before waking it;
 * {@code server.zero-copy: never}) and spliced socket to socket after a short lead read
 * ({@code always}). Either way every byte arrives in order with the message after it, and a server
 * that pauses in the middle of an update is relayed as far as it got — the relay never waits for
 * bytes that have not been sent. (The default, {@code auto}, is one or the other by the machine's
 * TCP congestion control, so each is pinned here.)
 */
@Timeout(90)
class LargeUpdatesTest {
  private static final int W = 1920;
  private static final int H = 1080;
  private static final int PIXEL_BYTES = W * H * 4;
  private static final byte[] BELL = {2};

  @TempDir Path dir;

  /** FramebufferUpdate, one Raw rectangle of the whole screen, patterned by {@code seed}. */
  static byte[] update(int seed) {
    ByteBuffer b = ByteBuffer.allocate(16 + PIXEL_BYTES);
    b.put((byte) 0).put((byte) 0).putShort((short) 1);
    b.putShort((short) 0).putShort((short) 0).putShort((short) W).putShort((short) H).putInt(0);
    for (int i = 0; i < PIXEL_BYTES; i++) b.put((byte) (i * 31 + (i >>> 9) + seed));
    return b.array();
  }

  /** A gateway in front of {@code port} relaying large payloads the {@code zeroCopy} way. */
  static GatewayHarness gateway(Path dir, int port, String zeroCopy, String extraYaml) throws Exception {
    return new GatewayHarness(dir, GatewayHarness.target("d", port, null), extraYaml, "10s", "",
        "  zero-copy: " + zeroCopy + "\n");
  }

  @ParameterizedTest(name = "zero-copy: {0}")
  @ValueSource(strings = {"never", "always"})
  void fullScreenUpdatesArriveWholeAndInOrderWithTheMessageAfterEach(String zeroCopy) throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "big").start();
         GatewayHarness gw = gateway(dir, desktop.port(), zeroCopy, null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      assertUpdatesAndBellsArrive(desktop, viewer);
    }
  }

  /** Four full-screen updates, each followed by a Bell; the viewer gets every byte in order. */
  static void assertUpdatesAndBellsArrive(ScriptedRfbServer desktop, RfbTestClient viewer) throws Exception {
    ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
    byte[][] updates = {update(1), update(2), update(3), update(4)};
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      for (byte[] u : updates) {
        server.send(u);
        server.send(BELL);
      }
    });
    for (byte[] u : updates) {
      assertArrayEquals(u, viewer.readExactly(u.length));
      assertEquals(2, viewer.readU8(), "the Bell after the update");
    }
    sending.get(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "zero-copy: {0}")
  @ValueSource(strings = {"never", "always"})
  void aServerPausingMidUpdateIsRelayedAsFarAsItGot(String zeroCopy) throws Exception {
    try (ScriptedRfbServer desktop = ScriptedRfbServer.builder().noneAuth().desktop(W, H, "pausing").start();
         GatewayHarness gw = gateway(dir, desktop.port(), zeroCopy, null);
         RfbTestClient viewer = RfbTestClient.connect("127.0.0.1", gw.tcpPort())) {
      viewer.handshakeVncAuth(gw.ticket("static/d"));
      ScriptedRfbServer.Connection server = desktop.awaitConnections(1, Duration.ofSeconds(10)).get(0);
      byte[] update = update(7);
      // pauses at several points of the update (just past the header, mid-payload, one byte before
      // its end); before going on the server waits until the viewer has everything sent so far: a
      // relay that waited for more (a bulk read, or a splice for a fuller pipe) would never be sent more
      int[] pauses = {16 + 100, 16 + 3 * 1024 * 1024, 16 + 3 * 1024 * 1024 + 700_001, 16 + 6 * 1024 * 1024 + 123,
          update.length - 1, update.length};
      CountDownLatch[] received = new CountDownLatch[pauses.length];
      for (int i = 0; i < pauses.length; i++) received[i] = new CountDownLatch(1);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        int from = 0;
        for (int i = 0; i < pauses.length; i++) {
          server.send(Arrays.copyOfRange(update, from, pauses[i]));
          from = pauses[i];
          try {
            if (!received[i].await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the viewer did not get up to " + from);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      });
      int from = 0;
      for (int i = 0; i < pauses.length; i++) {
        assertArrayEquals(Arrays.copyOfRange(update, from, pauses[i]), viewer.readExactly(pauses[i] - from), "up to " + pauses[i]);
        from = pauses[i];
        received[i].countDown();
      }
      sending.get(30, TimeUnit.SECONDS);
    }
  }
}
