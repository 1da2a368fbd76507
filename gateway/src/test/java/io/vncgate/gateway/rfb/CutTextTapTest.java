package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The framers tell the audit of each clipboard text they pass, whole, however the bytes are split,
 * and what they forward is unchanged; a cut text they drop, and other messages, are not told.
 */
class CutTextTapTest {

  @Test
  void theServerFramerTellsEachForwardedCutTextWholeAtEverySplitAndForwardsTheSameBytes() throws Exception {
    byte[] classic = Wire.of().u8(3, 0, 0, 0).u32(5).ascii("hello").bytes();
    byte[] provide = provide("zwei\r\nZeilen");
    byte[] notify = Wire.of().u8(3, 0, 0, 0).s32(-4).s32(0x08000001).bytes();
    byte[] stream = Wire.concat(classic, Wire.of().u8(2).bytes(), provide, notify);
    for (Splits.Split split : Splits.of(stream)) {
      List<String> told = new ArrayList<>();
      ServerMessageFramer framer = new ServerMessageFramer(Wire.pixelFormat32(), 1 << 20, true, null);
      framer.clipboardListener(t -> told.add(text(t)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Buffer part : split.buffers()) {
        framer.feed(part, new ServerMessageFramer.Output() {
          @Override
          public void forward(int from, int to) {
            out.writeBytes(part.getBytes(from, to));
          }

          @Override
          public void forwardHeld(byte[] bytes, int length) {
            out.write(bytes, 0, length);
          }
        });
        assertEquals(0, framer.opaqueBytesAhead(), "a watched text is never spliced: " + split.label());
      }
      assertArrayEquals(stream, out.toByteArray(), split.label());
      assertEquals(List.of("classic hello", "extended zwei\r\nZeilen"), told, split.label());
    }
  }

  @Test
  void theServerFramerTellsNothingOfACutTextItDrops() throws Exception {
    List<String> told = new ArrayList<>();
    ServerMessageFramer framer = new ServerMessageFramer(Wire.pixelFormat32(), 3, true, null);
    framer.clipboardListener(t -> told.add(text(t)));
    framer.feed(Buffer.buffer(Wire.of().u8(3, 0, 0, 0).u32(5).ascii("hello").bytes()), new ServerMessageFramer.Output() {
      @Override
      public void forward(int from, int to) {}

      @Override
      public void forwardHeld(byte[] bytes, int length) {}
    });
    assertEquals(List.of(), told);
  }

  @Test
  void theClientFramerTellsEachPassedPasteAtEverySplit() throws Exception {
    byte[] setEncodings = Wire.of().u8(2, 0).u16(1).s32(Encodings.EXTENDED_CLIPBOARD).bytes();
    byte[] classic = Wire.of().u8(6, 0, 0, 0).u32(3).ascii("abc").bytes();
    byte[] provide = provide("paste");
    provide[0] = 6;
    byte[] stream = Wire.concat(setEncodings, classic, provide);
    for (Splits.Split split : Splits.of(stream)) {
      List<String> told = new ArrayList<>();
      ClientMessageFramer framer = new ClientMessageFramer(MessagePolicy.CONTROLLER, 1 << 20, true, null);
      framer.clipboardListener(t -> told.add(text(t)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Buffer part : split.buffers()) out.writeBytes(framer.feed(part).getBytes());
      assertArrayEquals(stream, out.toByteArray(), split.label());
      assertEquals(List.of("classic abc", "extended paste"), told, split.label());
    }
  }

  /** A ServerCutText extended provide of {@code text} (UTF-8, NUL-terminated, zlib). */
  static byte[] provide(String text) throws Exception {
    byte[] utf8 = (text + "\0").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
      d.write(Wire.of().u32(utf8.length).bytes());
      d.write(utf8);
    }
    byte[] zlib = z.toByteArray();
    return Wire.of().u8(3, 0, 0, 0).s32(-(4 + zlib.length)).s32(0x10000001).raw(zlib).bytes();
  }

  private static String text(CutText t) {
    try (InputStream in = t.utf8(1 << 20)) {
      return (t.extended() ? "extended " : "classic ") + new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
