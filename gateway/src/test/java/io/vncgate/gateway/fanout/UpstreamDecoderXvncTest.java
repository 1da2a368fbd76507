package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.XvncServer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upstream decoder against TigerVNC's Xvnc: the same desktop read by three clients, one asking
 * for ZRLE, one for Hextile, one for Raw (each also CopyRect and the pseudo-encodings), decodes to
 * the same pixels, first whole and then after the desktop changes (incremental updates). The
 * ZRLE and Hextile clients are fed in random pieces, so every unit is split somewhere.
 */
@Timeout(120)
class UpstreamDecoderXvncTest {
  static XvncServer xvnc;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(640, 480).blacklist(false).start();
    // a fine two-colour grid on the root, and an xterm with text in other colours
    xvnc.runOnDisplay("xsetroot", "-mod", "5", "7", "-fg", "#2255bb", "-bg", "#3366cc").waitFor(5, TimeUnit.SECONDS);
    xvnc.runOnDisplay("xterm", "-geometry", "50x15+40+30", "-bg", "#202020", "-fg", "#ffcc00", "-e", "sh", "-c",
        "ls -l /usr/bin | head -30; sleep 600");
    Thread.sleep(1_500);
  }

  @AfterAll
  static void stop() {
    if (xvnc != null) xvnc.close();
  }

  private static int[] with(int encoding) {
    return new int[] {encoding, COPY_RECT, EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, LAST_RECT, CURSOR};
  }

  @Test
  void zrleHextileAndRawDecodeToTheSameDesktopWholeAndAfterChanges() throws Exception {
    try (DecodingClient zrle = DecodingClient.connect(xvnc.port(), null, 1L, with(ZRLE));
        DecodingClient hextile = DecodingClient.connect(xvnc.port(), null, 2L, with(HEXTILE));
        DecodingClient raw = DecodingClient.connect(xvnc.port(), null, null, with(RAW))) {
      for (DecodingClient c : new DecodingClient[] {zrle, hextile, raw}) c.update(false);
      int[] expected = raw.pixels();
      assertTrue(DecodingClient.colours(expected) >= 4, () -> "the desktop has the grid and the xterm's colours, not only " + Arrays.toString(Arrays.stream(expected).distinct().limit(10).toArray()));
      assertArrayEquals(expected, zrle.pixels(), "ZRLE decodes to Raw's pixels");
      assertArrayEquals(expected, hextile.pixels(), "Hextile decodes to Raw's pixels");
      assertTrue(zrle.decoder.decoded(ZRLE) > 0, "ZRLE rectangles came");
      assertTrue(hextile.decoder.decoded(HEXTILE) > 0, "Hextile rectangles came");
      assertEquals(0, zrle.decoder.decoded(RAW) + zrle.decoder.decoded(HEXTILE));
      // Xvnc sends the desktop size and the pointer's shape to clients that list them
      assertEquals(1, zrle.resizes);
      assertNotNull(zrle.screens, "ExtendedDesktopSize came with its screens");
      assertNotNull(zrle.cursor, "the cursor came");
      assertEquals(zrle.cursor.width() * zrle.cursor.height(), zrle.cursor.argb().length);
      assertArrayEquals(raw.cursor.argb(), zrle.cursor.argb());

      // changes: a new root pattern, and the xterm moved (CopyRect where Xvnc finds it)
      xvnc.runOnDisplay("xsetroot", "-mod", "3", "3", "-fg", "#aa3311", "-bg", "#11aa33").waitFor(5, TimeUnit.SECONDS);
      xvnc.xdotool("search", "--class", "xterm", "windowmove", "200", "150");
      Thread.sleep(1_000);
      for (DecodingClient c : new DecodingClient[] {zrle, hextile, raw}) c.update(true);
      int[] changed = raw.pixels();
      assertFalse(Arrays.equals(expected, changed), "the desktop changed");
      assertTrue(DecodingClient.colours(changed) >= 4);
      assertArrayEquals(changed, zrle.pixels(), "ZRLE follows the changes");
      assertArrayEquals(changed, hextile.pixels(), "Hextile follows the changes");

      // and the picture is the whole truth: a fresh full update of the ZRLE client changes nothing
      zrle.update(false);
      assertArrayEquals(changed, zrle.pixels());
    }
  }
}
