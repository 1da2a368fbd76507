package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * A target that breaks the protocol gets words, never another exception: rectangles outside the
 * desktop, truncated or inflating ZRLE, lengths no rectangle needs, encodings and messages nobody
 * asked for; and a valid stream decodes the same however it is split.
 */
class UpstreamDecoderHostileTest {

  private static Buffer update(int rects) {
    return Buffer.buffer().appendByte((byte) 0).appendByte((byte) 0).appendUnsignedShort(rects);
  }

  private static Buffer rect(Buffer b, int x, int y, int w, int h, int encoding) {
    return b.appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h).appendInt(encoding);
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater();
    deflater.setInput(data);
    byte[] out = new byte[data.length + 1024];
    int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
    deflater.end();
    return java.util.Arrays.copyOf(out, n);
  }

  private static String refused(Buffer stream) {
    UpstreamDecoder decoder = new UpstreamDecoder(new Framebuffer(64, 48), new Recorder(), 100);
    RfbException e = assertThrows(RfbException.class, () -> decoder.feed(stream));
    assertEquals(Cause.PROTOCOL_ERROR, e.failure().cause());
    RfbException again = assertThrows(RfbException.class, () -> decoder.feed(Buffer.buffer(new byte[] {2})));
    assertSame(e, again, "a broken stream stays broken");
    return e.getMessage();
  }

  @Test
  void rectanglesOutsideTheDesktopAreRefused() {
    assertEquals("sent a Raw rectangle of 10x10 pixels at 60,0, outside its 64x48 desktop",
        refused(rect(update(1), 60, 0, 10, 10, RAW)));
    assertTrue(refused(rect(update(1), 0, 40, 16, 16, HEXTILE)).contains("outside its 64x48 desktop"));
    assertTrue(refused(rect(update(1), 65535, 65535, 65535, 65535, ZRLE)).contains("outside"));
    assertEquals("sent a CopyRect from 60,40 of 8x8 pixels, outside its 64x48 desktop",
        refused(rect(update(1), 0, 0, 8, 8, COPY_RECT).appendUnsignedShort(60).appendUnsignedShort(40)));
  }

  @Test
  void zrleThatLiesAboutItsSizeIsRefused() {
    assertTrue(refused(rect(update(1), 0, 0, 8, 8, ZRLE).appendInt(0x7FFFFFFF))
        .contains("bytes of zlib data, more than such a rectangle can need"));
    // a raw tile of 8x8 needs 192 bytes of pixels: 5 come
    byte[] truncated = deflate(new byte[] {0, 1, 2, 3, 4, 5});
    assertEquals("sent a ZRLE rectangle whose data ends inside a tile",
        refused(rect(update(1), 0, 0, 8, 8, ZRLE).appendInt(truncated.length).appendBytes(truncated)));
    // a decompression bomb: 256 KiB of zeros for one pixel
    byte[] bomb = deflate(new byte[256 * 1024]);
    assertTrue(refused(rect(update(1), 0, 0, 1, 1, ZRLE).appendInt(bomb.length).appendBytes(bomb))
        .contains("inflates to more than its tiles can hold"));
    assertTrue(refused(rect(update(1), 0, 0, 1, 1, ZRLE).appendInt(4).appendInt(0x12345678))
        .contains("not a valid zlib stream"));
    byte[] extra = deflate(new byte[] {1, 1, 2, 3, 9});
    assertEquals("sent a ZRLE rectangle with 1 bytes more than its tiles hold",
        refused(rect(update(1), 0, 0, 8, 8, ZRLE).appendInt(extra.length).appendBytes(extra)));
    byte[] badIndex = deflate(new byte[] {3, 0, 0, 0, 1, 1, 1, 2, 2, 2, (byte) 0xFF, (byte) 0xFF});
    assertEquals("sent a ZRLE packed-palette tile with index 3 of a 3-colour palette",
        refused(rect(update(1), 0, 0, 8, 1, ZRLE).appendInt(badIndex.length).appendBytes(badIndex)));
    byte[] longRun = deflate(new byte[] {(byte) 128, 1, 2, 3, 100});
    assertTrue(refused(rect(update(1), 0, 0, 8, 8, ZRLE).appendInt(longRun.length).appendBytes(longRun))
        .contains("more pixels than its tile has left"));
  }

  @Test
  void whatNobodyAskedForIsRefusedInWords() {
    assertEquals("sent a rectangle in encoding 7, which the gateway did not ask for and cannot read",
        refused(rect(update(1), 0, 0, 8, 8, TIGHT)));
    assertEquals("sent RFB message type 150, which the gateway did not ask for and cannot read",
        refused(Buffer.buffer(new byte[] {(byte) 150})));
    assertEquals("sent an extended clipboard message, which the gateway did not ask for",
        refused(Buffer.buffer(new byte[] {3, 0, 0, 0}).appendInt(-8)));
    assertTrue(refused(rect(update(1), 0, 0, 65535, 65535, DESKTOP_SIZE)).contains("more pixels than the gateway's limit"));
    assertTrue(refused(rect(update(1), 0, 0, 2000, 2000, CURSOR)).contains("cursor of 2000x2000"));
    // Hextile: a subrectangle of 4 wide at x 7 in an 8-wide tile
    assertEquals("sent a Hextile subrectangle 4x1 at 7,0 outside its 8x8 tile",
        refused(rect(update(1), 0, 0, 8, 8, HEXTILE).appendByte((byte) 8).appendByte((byte) 1).appendByte((byte) 0x70)
            .appendByte((byte) 0x30)));
  }

  /**
   * A clipboard text longer than the limit is skipped as it arrives (nothing of it held between
   * feeds), reported with its length, and the stream goes on: the next clipboard and update come
   * through, however the stream is split.
   */
  @Test
  void aCutTextPastTheLimitIsSkippedAndReportedAndTheStreamGoesOn() throws Exception {
    byte[] big = new byte[300_000];
    java.util.Arrays.fill(big, (byte) 'x');
    byte[] bytes = Buffer.buffer().appendBytes(new byte[] {3, 0, 0, 0}).appendInt(big.length).appendBytes(big)
        .appendBytes(new byte[] {3, 0, 0, 0}).appendInt(100).appendString("y".repeat(100))
        .appendBytes(new byte[] {3, 0, 0, 0}).appendInt(101).appendString("z".repeat(101))
        .appendByte((byte) 2)
        .appendBuffer(rect(update(1), 1, 1, 1, 1, RAW).appendIntLE(0x00ABCDEF)).getBytes();
    for (int split : new int[] {1, 7, 4096, 65536, bytes.length}) {
      Framebuffer fb = new Framebuffer(64, 48);
      Recorder events = new Recorder();
      UpstreamDecoder decoder = new UpstreamDecoder(fb, events, 100);
      for (int at = 0; at < bytes.length; at += split) {
        decoder.feed(Buffer.buffer().appendBytes(bytes, at, Math.min(split, bytes.length - at)));
        if (at > 8 && at + split < 8 + big.length) {
          assertEquals(0, decoder.held(), "inside the skipped text nothing is held (split " + split + ")");
        }
      }
      assertEquals(List.of(big.length, 101), events.cutTextsDropped, "split every " + split);
      assertEquals(List.of("y".repeat(100)), events.cutTexts, "the text at the limit comes through");
      assertEquals(1, events.bells);
      assertEquals(1, events.updates);
      assertEquals(0xABCDEF, fb.pixels()[64 + 1], "the update after it is painted");
    }
  }

  /** Bell, colour map entries, cut text and an update: the same events and pixels whole, byte by byte, and split at every point. */
  @Test
  void aStreamDecodesTheSameHoweverItIsSplit() throws Exception {
    Framebuffer source = ViewerEncoderTest.desktop();
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {ZRLE, DESKTOP_SIZE, CURSOR});
    Buffer stream = Buffer.buffer().appendByte((byte) 2)
        .appendBytes(new byte[] {1, 0, 0, 0, 0, 2}).appendBytes(new byte[12])
        .appendBytes(new byte[] {3, 0, 0, 0}).appendInt(5).appendString("hello")
        .appendBuffer(encoder.update(source, List.of(new Rect(0, 0, 200, 150)),
            new ViewerEncoder.Extras(new Rect(0, 0, 200, 150), null, new Cursor(0, 0, 2, 1, new int[] {0xFF00FF00, 0}), false)))
        .appendBuffer(rect(update(2), 10, 10, 20, 20, COPY_RECT).appendUnsignedShort(0).appendUnsignedShort(0)
            .appendUnsignedShort(0).appendUnsignedShort(0).appendUnsignedShort(2).appendUnsignedShort(2).appendInt(LAST_RECT))
        .appendBuffer(rect(update(1), 1, 1, 2, 1, RAW).appendIntLE(0x00ABCDEF).appendIntLE(0x00123456));
    Framebuffer whole = new Framebuffer(200, 150);
    Recorder expected = new Recorder();
    new UpstreamDecoder(whole, expected, 100).feed(stream);
    assertEquals(3, expected.updates, expected::toString);
    assertEquals(List.of("hello"), expected.cutTexts);
    assertEquals(1, expected.bells);
    assertEquals(0xABCDEF, whole.pixels()[201]);

    byte[] bytes = stream.getBytes();
    Random random = new Random(11);
    for (int round = 0; round < 40; round++) {
      Framebuffer fb = new Framebuffer(200, 150);
      Recorder events = new Recorder();
      UpstreamDecoder decoder = new UpstreamDecoder(fb, events, 100);
      int split = round == 0 ? 1 : 1 + random.nextInt(round < 20 ? 7 : 3000);
      for (int at = 0; at < bytes.length; at += split) {
        decoder.feed(Buffer.buffer().appendBytes(bytes, at, Math.min(split, bytes.length - at)));
      }
      assertArrayEquals(whole.pixels(), fb.pixels(), "split every " + split);
      assertEquals(expected.toString(), events.toString());
    }
    // and split in two at every point of the first messages and the update's head
    for (int cut = 1; cut < 200; cut++) {
      Framebuffer fb = new Framebuffer(200, 150);
      Recorder events = new Recorder();
      UpstreamDecoder decoder = new UpstreamDecoder(fb, events, 100);
      decoder.feed(Buffer.buffer().appendBytes(bytes, 0, cut));
      decoder.feed(Buffer.buffer().appendBytes(bytes, cut, bytes.length - cut));
      assertArrayEquals(whole.pixels(), fb.pixels(), "cut at " + cut);
      assertEquals(expected.toString(), events.toString());
    }
  }

  /** Garbage and damaged streams, fed in random pieces: an RfbException or nothing, never another exception. */
  @Test
  void garbageGivesWordsOrNothing() throws Exception {
    Framebuffer source = ViewerEncoderTest.desktop();
    ViewerEncoder encoder = new ViewerEncoder();
    encoder.encodings(new int[] {ZRLE});
    byte[] valid = encoder.update(source, List.of(new Rect(0, 0, 200, 150)), ViewerEncoder.Extras.NONE).getBytes();
    byte[] hextile = rect(update(1), 0, 0, 40, 20, HEXTILE).getBytes();
    Random random = new Random(5);
    int refusals = 0;
    for (int round = 0; round < 600; round++) {
      byte[] bytes;
      if (round % 3 == 0) {
        bytes = valid.clone();
        for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      } else {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(round % 3 == 1 ? hextile : new byte[] {0, 0, 0, (byte) random.nextInt(4)});
        byte[] noise = new byte[random.nextInt(3000)];
        random.nextBytes(noise);
        out.write(noise);
        bytes = out.toByteArray();
      }
      UpstreamDecoder decoder = new UpstreamDecoder(new Framebuffer(200, 150), new Recorder(), 100);
      try {
        for (int at = 0; at < bytes.length; ) {
          int n = Math.min(bytes.length - at, 1 + random.nextInt(500));
          decoder.feed(Buffer.buffer().appendBytes(bytes, at, n));
          at += n;
        }
      } catch (RfbException e) {
        refusals++;
        assertTrue(e.getMessage().startsWith("sent ") || e.getMessage().startsWith("resized")
            || e.getMessage().startsWith("ended"), e.getMessage());
      }
    }
    assertTrue(refusals > 100, "most garbage is refused: " + refusals);
  }
}
