package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The noVNC-like viewer's framing against a real stream: a TigerVNC Xvnc running the desktop
 * scenario's workload (scrolling xterm, moving window, photo-like region, marker), one viewer
 * straight over TCP for a few seconds. Every byte must frame (a framing error ends the viewer),
 * and Xvnc, asked for Tight first as noVNC asks, must have sent Tight rectangles of more than one
 * sub-type (JPEG for the photo, fills and palettes for the rest), so the test reads each kind.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class NoVncViewerTest {
  @TempDir
  Path dir;

  @Test
  void framesEveryMessageOfARealXvncRunningTheWorkload() throws Exception {
    Vertx vertx = Vertx.vertx();
    Process painter = null;
    try (BusyXvnc xvnc = BusyXvnc.start(Desktop.WIDTH, Desktop.HEIGHT, 20, dir, false)) {
      ProcessBuilder pb = new ProcessBuilder(GatewayProcess.java(), "-cp", System.getProperty("java.class.path"),
          DesktopPainter.class.getName(), "" + Desktop.WIDTH, "" + Desktop.HEIGHT, "10", "20", "5")
          .redirectErrorStream(true).redirectOutput(dir.resolve("painter.log").toFile());
      pb.environment().put("DISPLAY", xvnc.display());
      painter = pb.start();
      NetClient net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
      NoVncViewer v = new NoVncViewer(null, DesktopPainter.markerPixel(Desktop.WIDTH, Desktop.HEIGHT));
      Phases.await(TcpLink.connect(net, xvnc.port(), v).compose(x -> v.ready()), 20, "the handshake");
      Phases.sleepS(5);
      assertNull(v.error(), "framing error");
      assertTrue(v.isOpen(), "the viewer's connection ended: " + v.closed().result());
      vertx.runOnContext(x -> v.close());
      Map<String, Long> tight = v.tightKinds();
      Map<Integer, Long> rects = v.rectangles();
      assertTrue(v.updates() > 10, "updates: " + v.updates());
      assertTrue(rects.getOrDefault(NoVncViewer.TIGHT, 0L) > 0, "no Tight rectangle: " + rects);
      long kinds = tight.keySet().stream().filter(k -> !k.equals(NoVncViewer.BASIC_UNCOMPRESSED)).count();
      assertTrue(kinds >= 2, "Tight sub-types seen: " + tight);
      assertTrue(tight.getOrDefault(NoVncViewer.TIGHT_JPEG, 0L) > 0, "the photo-like region never came as JPEG: " + tight);
      // noVNC's answers were asked for and given: Xvnc offered continuous updates and sent fences
      assertTrue(v.continuousUpdates(), "no EndOfContinuousUpdates from Xvnc");
      assertTrue(v.fences() > 0, "no fence request from Xvnc");
      assertTrue(v.markerTimes().length > 0, "no rectangle held the marker");
      for (int e : rects.keySet()) {
        assertTrue(List.of(NoVncViewer.TIGHT, NoVncViewer.COPY_RECT, NoVncViewer.LAST_RECT, NoVncViewer.VMWARE_CURSOR,
            NoVncViewer.CURSOR, NoVncViewer.EXTENDED_DESKTOP_SIZE, NoVncViewer.DESKTOP_SIZE, NoVncViewer.QEMU_LED,
            NoVncViewer.QEMU_EXTENDED_KEY, NoVncViewer.DESKTOP_NAME).contains(e), "encoding " + e + ": " + rects);
      }
      assertEquals(0L, rects.getOrDefault(NoVncViewer.RAW, 0L));
    } finally {
      if (painter != null) painter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      vertx.close();
    }
  }
}
