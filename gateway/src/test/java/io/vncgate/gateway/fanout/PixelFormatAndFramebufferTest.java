package io.vncgate.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pixel formats a viewer may ask for (and those refused in words), and the framebuffer's copy and resize. */
class PixelFormatAndFramebufferTest {

  private static String refused(PixelFormat format) {
    Buffer b = Buffer.buffer(new byte[4]).appendBytes(format.bytes());
    RfbException e = assertThrows(RfbException.class, () -> PixelFormat.read(b, 4));
    assertEquals(Cause.VIEWER_PROTOCOL_ERROR, e.failure().cause());
    return e.getMessage();
  }

  @Test
  void wireBytesReadBack() throws Exception {
    for (PixelFormat f : ViewerEncoderTest.formats()) {
      assertEquals(f, PixelFormat.read(Buffer.buffer(new byte[3]).appendBytes(f.bytes()), 3));
    }
    assertEquals("2018000100ff00ff00ff100800000000", java.util.HexFormat.of().formatHex(PixelFormat.GATEWAY.bytes()));
    assertEquals("0000000020180001" + "00ff00ff00ff100800000000",
        java.util.HexFormat.of().formatHex(UpstreamMessages.setPixelFormat().getBytes()));
  }

  @Test
  void formatsFanOutCannotServeAreRefusedInWords() {
    assertTrue(refused(new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0))
        .contains("fan-out sessions serve true-colour pixel formats only"));
    assertEquals("asked for 24 bits per pixel; fan-out sessions serve 8, 16 or 32",
        refused(new PixelFormat(24, 24, false, true, 255, 255, 255, 16, 8, 0)));
    assertEquals("asked for a pixel format whose green maximum 5 is not a power of two minus one",
        refused(new PixelFormat(16, 16, false, true, 31, 5, 31, 11, 5, 0)));
    assertEquals("asked for a pixel format whose red channel (maximum 255 at shift 16) does not fit in 16 bits per pixel",
        refused(new PixelFormat(16, 16, false, true, 255, 63, 31, 16, 5, 0)));
  }

  @Test
  void copyIsOverlapSafeInEveryDirection() {
    Random random = new Random(3);
    for (int round = 0; round < 200; round++) {
      Framebuffer fb = new Framebuffer(30, 20);
      for (int i = 0; i < fb.pixels().length; i++) fb.pixels()[i] = random.nextInt();
      int w = 1 + random.nextInt(20);
      int h = 1 + random.nextInt(12);
      int sx = random.nextInt(30 - w + 1);
      int sy = random.nextInt(20 - h + 1);
      int x = random.nextInt(30 - w + 1);
      int y = random.nextInt(20 - h + 1);
      int[] expected = fb.pixels().clone();
      int[] before = fb.pixels().clone();
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) expected[(y + r) * 30 + x + c] = before[(sy + r) * 30 + sx + c];
      }
      fb.copy(sx, sy, x, y, w, h);
      assertArrayEquals(expected, fb.pixels());
    }
  }

  @Test
  void resizeKeepsTheOverlapAndBlackensTheRest() {
    Framebuffer fb = new Framebuffer(3, 2);
    fb.pixels()[0] = 1;
    fb.pixels()[2] = 3;
    fb.pixels()[5] = 6;
    fb.resize(2, 3);
    assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0}, fb.pixels());
    fb.resize(4, 1);
    assertArrayEquals(new int[] {1, 0, 0, 0}, fb.pixels());
    assertEquals(4, fb.width());
  }
}
