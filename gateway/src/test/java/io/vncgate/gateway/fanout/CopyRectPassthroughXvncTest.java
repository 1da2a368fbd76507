package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CopyRect passthrough (docs/fan-out.md, "Copies") on a real Xvnc whose xterm scrolls (Xvnc sends
 * the scroll as CopyRect): fan-out viewers that list CopyRect get CopyRect rectangles, one that
 * does not gets pixels only, and one that lists it but asks for nothing while the xterm scrolls
 * (so its tiles under the scroll are dirty: the fallback) catches up; every decoding client
 * applies what it gets, and all end with the same picture, pixel for pixel, as a viewer that
 * joins afterwards and gets the gateway's whole framebuffer.
 */
@Timeout(180)
class CopyRectPassthroughXvncTest {
  /** The root's colour after the scroll: seen at {@link #MARK_X}, {@link #MARK_Y}, right of the xterm. */
  private static final int MARK = 0x00cc44;
  private static final int MARK_X = 630;
  private static final int MARK_Y = 470;

  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    XvncServer.require();
    xvnc = XvncServer.builder().geometry(640, 480).start();
    xvnc.setRootColor("#334455");
    gw = new GatewayHarness(dir, GatewayHarness.target("scroll", xvnc.port(), null),
        "sessions:\n  sharing:\n    \"static/*\": fan-out\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  private static DecodingClient viewer(int... encodings) throws Exception {
    return DecodingClient.connect(gw.tcpPort(), gw.ticket("static/scroll"), null, encodings);
  }

  @Test
  void viewersThatListCopyRectGetTheScrollAsCopiesAndEveryViewerEndsWithTheSamePicture() throws Exception {
    Path done = dir.resolve("scrolled");
    try (DecodingClient copying = viewer(ZRLE, COPY_RECT, RAW);
        DecodingClient rawCopying = viewer(RAW, COPY_RECT);
        DecodingClient pixelsOnly = viewer(ZRLE, RAW);
        DecodingClient slow = viewer(ZRLE, COPY_RECT, RAW);
        DecodingClient idle = viewer(ZRLE, COPY_RECT, RAW)) {
      List<DecodingClient> all = List.of(copying, rawCopying, pixelsOnly, slow, idle);
      for (DecodingClient c : all) c.update(false); // all are in the session, with the whole (blank) desktop
      xvnc.runOnDisplay("xterm", "-geometry", "60x24+0+0", "-bg", "#101010", "-fg", "#eeee00", "-e", "bash", "-c",
          "sleep 1; for i in $(seq 1 300); do echo \"line $i of the scrolling build log: $RANDOM $RANDOM\"; sleep 0.01; done;"
              + " touch '" + done + "'; sleep 600");
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        // three viewers follow the scroll, update after update, until the mark after it shows
        List<Future<?>> following = new ArrayList<>();
        for (DecodingClient c : List.of(copying, rawCopying, pixelsOnly)) following.add(threads.submit(() -> untilMarked(c, 0)));
        // one asks 60 ms after each update: several of the target's updates (copies, and pixels
        // under later copies' sources) wait for it at a time, so it gets copies and fallbacks
        following.add(threads.submit(() -> untilMarked(slow, 60)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(done) && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(Files.exists(done), "the xterm printed its 300 lines");
        Thread.sleep(1_000); // Xvnc has sent the last of the scroll before the mark changes
        xvnc.setRootColor(String.format("#%06x", MARK));
        for (Future<?> f : following) f.get(60, TimeUnit.SECONDS);
      } finally {
        threads.shutdownNow();
      }
      // the idle viewer asks only now: what it missed comes as pixels, with at most a few copies first
      int before = idle.copies;
      untilMarked(idle, 0);
      int catchUp = idle.copies - before;
      assertTrue(catchUp <= Member.MAX_COPIES, "a viewer that missed the scroll gets " + catchUp
          + " copies, bounded by " + Member.MAX_COPIES + "; the rest as pixels");

      assertTrue(copying.copies > 0, "the ZRLE viewer that lists CopyRect got CopyRect rectangles");
      assertTrue(rawCopying.copies > 0, "the Raw viewer that lists CopyRect got CopyRect rectangles");
      assertTrue(slow.copies > 0, "the slow viewer got CopyRect rectangles");
      assertEquals(0, pixelsOnly.copies, "a viewer that does not list CopyRect gets none");
      assertEquals(0, pixelsOnly.decoder.decoded(COPY_RECT));
      System.out.printf("CopyRect passthrough: %d copies to the ZRLE viewer in %d updates, %d to the Raw one,"
          + " %d to the slow one in %d updates, %d to the idle one on catching up%n", copying.copies, copying.updates,
          rawCopying.copies, slow.copies, slow.updates, catchUp);

      try (DecodingClient late = viewer(ZRLE, RAW)) {
        late.update(false); // the gateway's whole framebuffer, as pixels
        int[] truth = late.pixels();
        assertTrue(DecodingClient.colours(truth) >= 3, "the picture has the root, the xterm's background and its text");
        assertEquals(MARK, truth[MARK_Y * 640 + MARK_X]);
        assertArrayEquals(truth, pixelsOnly.pixels(), "the pixels-only viewer has the gateway's picture");
        assertArrayEquals(truth, copying.pixels(), "the ZRLE viewer that applied the copies has the gateway's picture");
        assertArrayEquals(truth, rawCopying.pixels(), "the Raw viewer that applied the copies has the gateway's picture");
        assertArrayEquals(truth, slow.pixels(), "the slow viewer has the gateway's picture");
        assertArrayEquals(truth, idle.pixels(), "the viewer that caught up has the gateway's picture");
      }
    }
  }

  /**
   * Incremental updates of the whole desktop until the mark shows: the update that carries the
   * mark carries everything that changed before it (the session takes all of a viewer's dirty
   * tiles, and its queued copies, into one update), and nothing changes after it.
   */
  private static Void untilMarked(DecodingClient c, long pauseMillis) throws Exception {
    while (c.framebuffer.pixels()[MARK_Y * 640 + MARK_X] != MARK) {
      if (pauseMillis > 0) Thread.sleep(pauseMillis);
      c.send(UpstreamMessages.updateRequest(true, 0, 0, 640, 480));
      c.awaitUpdates(c.updates + 1);
    }
    return null;
  }
}
