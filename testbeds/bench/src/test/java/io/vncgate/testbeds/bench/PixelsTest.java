package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vncgate.testbeds.XvncServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bench viewer's decoder against a real server: the same still Xvnc screen (a solid root,
 * an xterm of 256-colour blocks and text) read once as Raw and once as ZRLE gives the same pixels,
 * so the fan-out benchmark's controller sees what a real viewer would.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PixelsTest {
  private static final String COLOURS = "for i in $(seq 0 255); do printf '\\033[48;5;%dm  ' $i; done;"
      + " printf '\\033[0m\\nvncgate bench: ZRLE against Raw\\n'; sleep 600";

  @Test
  void zrleDecodesToTheSamePixelsAsRaw() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (XvncServer xvnc = XvncServer.builder().geometry(320, 240).timeout(Duration.ofSeconds(20)).start()) {
      xvnc.setRootColor("#336699");
      xvnc.runOnDisplay("xterm", "-geometry", "40x12+10+10", "-e", "bash", "-c", COLOURS);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < end) {
        try {
          if (!xvnc.xdotool("search", "--onlyvisible", "--class", "xterm").isBlank()) break;
        } catch (RuntimeException notYet) {
          // nothing mapped yet
        }
        Thread.sleep(100);
      }
      Thread.sleep(1500); // the xterm has drawn its blocks
      NetClient net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
      RfbViewer raw = screen(net, xvnc.port(), RfbViewer.RAW);
      RfbViewer zrle = screen(net, xvnc.port(), RfbViewer.ZRLE);
      assertTrue(zrle.zrleRectangles() > 0, "Xvnc answered without ZRLE");
      assertEquals(0, raw.zrleRectangles());
      int differ = 0;
      for (int y = 0; y < 240; y++) {
        for (int x = 0; x < 320; x++) {
          if ((raw.pixel(x, y) & 0xFFFFFF) != (zrle.pixel(x, y) & 0xFFFFFF)) differ++;
        }
      }
      assertEquals(0, differ, "pixels that differ between the Raw and the ZRLE screen");
      assertEquals(0x336699, raw.pixel(319, 239) & 0xFFFFFF, "the root colour, 0x00RRGGBB");
    } finally {
      vertx.close();
    }
  }

  /** A viewer asking for {@code encoding} (then Raw), its screen decoded: after its first whole screen. */
  private static RfbViewer screen(NetClient net, int port, int encoding) {
    RfbViewer v = new RfbViewer(null);
    v.encodings(encoding, RfbViewer.RAW);
    v.decode();
    Promise<Void> first = Promise.promise();
    v.listener((viewer, bytes) -> first.tryComplete());
    Future<Void> ready = TcpLink.connect(net, port, v).compose(x -> v.ready()).onSuccess(x -> v.requestFullScreen());
    Phases.await(ready.compose(x -> first.future()), 30, "the first screen");
    return v;
  }
}
