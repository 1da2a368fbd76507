package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerMessageFramerTest {

  private static final int BPP = 4;

  // ---- messages, built by hand from rfb-reference.md §4 ----

  private static Wire update(int rects) {
    return Wire.of().u8(0, 0).u16(rects);
  }

  private static Wire rect(Wire w, int width, int height, int encoding) {
    return w.u16(0).u16(0).u16(width).u16(height).s32(encoding);
  }

  private static byte[] cutText(String text) {
    return Wire.of().u8(3, 0, 0, 0).u32(text.length()).ascii(text).bytes();
  }

  /** An update with a rectangle of every frameable kind, at 32 bpp depth 24 (Tight pixels are 3 bytes). */
  private static byte[] everyEncoding() {
    Wire w = update(20);
    rect(w, 3, 2, 0).zeros(3 * 2 * BPP);                                   // Raw
    rect(w, 5, 5, 1).u16(7).u16(9);                                         // CopyRect
    rect(w, 8, 8, 2).u32(2).zeros(BPP).zeros(2 * (BPP + 8));               // RRE: 2 subrects
    rect(w, 8, 8, 4).u32(1).zeros(BPP).zeros(BPP + 4);                     // CoRRE
    // Hextile 20x17: 4 tiles (16x16, 4x16, 16x1, 4x1)
    rect(w, 20, 17, 5)
        .u8(1).zeros(16 * 16 * BPP)                                        // raw tile
        .u8(2 | 4 | 8).zeros(BPP).zeros(BPP).u8(3).zeros(3 * 2)            // bg, fg, 3 plain subrects
        .u8(8 | 16).u8(2).zeros(2 * (BPP + 2))                             // 2 coloured subrects
        .u8(0);                                                            // nothing: same background
    rect(w, 4, 4, 6).u32(5).zeros(5);                                      // zlib
    rect(w, 4, 4, 7).u8(0x80).zeros(3);                                    // Tight fill (TPIXEL 3)
    rect(w, 64, 64, 7).u8(0x90).u8(0x85, 0x01).zeros(133);                 // Tight JPEG, 2-byte compact length
    rect(w, 2, 1, 7).u8(0x00).zeros(2 * 3);                                // Tight copy, 6 bytes < 12: raw
    rect(w, 16, 4, 7).u8(0x40).u8(1).u8(1).zeros(2 * 3).zeros(8);          // Tight palette of 2: 2*4=8 bytes < 12, no length
    rect(w, 100, 100, 7).u8(0x40).u8(1).u8(4).zeros(5 * 3).u8(0x14).zeros(20); // palette of 5, 1-byte length
    rect(w, 8, 8, 16).u32(4).zeros(4);                                     // ZRLE
    rect(w, 9, 3, -239).zeros(9 * 3 * BPP).zeros(2 * 3);                  // Cursor: pixels + mask
    rect(w, 8, 2, -240).zeros(6).zeros(2 * 1 * 2);                        // XCursor
    rect(w, 0, 0, -307).u32(4).ascii("desk");                             // DesktopName
    rect(w, 1024, 768, -308).u8(2, 0, 0, 0).zeros(2 * 16);                 // ExtendedDesktopSize, 2 screens
    rect(w, 2, 2, 0x574d5664).u8(1, 0).zeros(2 * 2 * 4);                  // VMware alpha cursor
    rect(w, 0, 0, -261).u8(5);                                            // QEMU LED state
    rect(w, 1, 1, 50).u32(3).u32(0).zeros(3);                              // H.264
    rect(w, 0, 0, 0x574d5666);                                             // VMware cursor position
    return w.bytes();
  }

  private static byte[] otherMessages() {
    return Wire.concat(
        Wire.of().u8(1, 0).u16(0).u16(2).zeros(12).bytes(),              // SetColourMapEntries, 2 colours
        Wire.of().u8(2).bytes(),                                          // Bell
        Wire.of().u8(150).bytes(),                                        // EndOfContinuousUpdates
        Wire.of().u8(248, 0, 0, 0).u32(0).u8(3).u8(1, 2, 3).bytes(),      // ServerFence (response) with 3 bytes
        Wire.of().u8(250, 0, 1, 1).bytes(),                               // xvp
        Wire.of().u8(255, 1).u16(2).u32(4).zeros(4).bytes(),              // QEMU audio data
        Wire.of().u8(255, 1).u16(1).bytes(),                              // QEMU audio begin
        update(0).bytes(),                                                // empty update
        // LastRect ends an update that announced 65535 rectangles
        rect(rect(update(0xFFFF), 1, 1, 0).zeros(BPP), 0, 0, -224).bytes());
  }

  // ---- harness ----

  private record Fed(byte[] forwarded, List<String> drops) {}

  private static Fed feed(ServerMessageFramer framer, List<Buffer> parts, List<String> drops) throws RfbException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Buffer part : parts) {
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
    }
    return new Fed(out.toByteArray(), drops);
  }

  private static ServerMessageFramer framer(long max, boolean allowed, List<String> drops) {
    return new ServerMessageFramer(Wire.pixelFormat32(), max, allowed, (type, bytes, reason, why) -> {
      assertEquals(why.startsWith(ClientMessageFramer.MALFORMED) ? DropReason.MALFORMED : why.contains("exceeds the limit")
          ? DropReason.SIZE : DropReason.POLICY, reason, why);
      drops.add(type + " " + bytes + " " + why);
    });
  }

  private static void assertEverySplit(byte[] stream, byte[] expected, long max, boolean allowed, int expectedDrops) throws Exception {
    for (Splits.Split split : Splits.of(stream)) {
      List<String> drops = new ArrayList<>();
      Fed fed = feed(framer(max, allowed, drops), split.buffers(), drops);
      assertArrayEquals(expected, fed.forwarded(), split.label());
      assertEquals(expectedDrops, drops.size(), split.label() + ": " + drops);
    }
  }

  // ---- tests ----

  @Test
  void everyEncodingAndMessagePassesUntouchedHoweverItIsCut() throws Exception {
    byte[] stream = Wire.concat(everyEncoding(), otherMessages(), cutText("hello"), new byte[] {2});
    assertEverySplit(stream, stream, 1024, true, 0);
  }

  @Test
  void tightCompactLengthsOfThreeBytesAreFollowed() throws Exception {
    // 0x81 0x81 0x01: 1 + 1<<7 + 1<<14 = 16513 bytes of zlib data
    byte[] stream = Wire.concat(rect(update(1), 100, 100, 7).u8(0x40).u8(1).u8(4).zeros(5 * 3).u8(0x81, 0x81, 0x01)
        .zeros(16513).bytes(), new byte[] {2});
    for (int at : new int[] {17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 1000, stream.length - 1}) {
      ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
      byte[] out = feed(framer, List.of(Buffer.buffer(stream).slice(0, at), Buffer.buffer(stream).slice(at, stream.length)), List.of()).forwarded();
      assertArrayEquals(stream, out, "split at " + at);
      assertEquals(2, framer.messagesForwarded(), "split at " + at);
    }
  }

  @Test
  void theFramerCountsWholeMessagesSoItReallyFollowsTheBoundaries() throws Exception {
    byte[] stream = Wire.concat(everyEncoding(), otherMessages(), cutText("x"));
    ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
    feed(framer, List.of(Buffer.buffer(stream)), List.of());
    // 1 update + 9 others (the two updates at the end included) + 1 cut text
    assertEquals(11, framer.messagesForwarded());
    assertEquals(3, framer.updatesBegun());
    assertEquals(3, framer.updatesDone());
    // one byte more is the start of a next message, not a leftover of this one
    assertThrows(RfbException.class, () -> feed(framer, List.of(Buffer.buffer(new byte[] {42})), List.of()));
  }

  @Test
  void clipboardToTheViewerDisabledDropsEveryServerCutTextAndNothingElse() throws Exception {
    byte[] before = everyEncoding();
    byte[] after = otherMessages();
    byte[] stream = Wire.concat(before, cutText("secret"), after, cutText(""), cutText("more"));
    assertEverySplit(stream, Wire.concat(before, after), 1024, false, 3);
  }

  @Test
  void aServerCutTextOverTheLimitIsDroppedAndOneAtTheLimitPasses() throws Exception {
    byte[] atLimit = cutText("12345678");
    byte[] over = cutText("123456789");
    byte[] bell = {2};
    assertEverySplit(Wire.concat(bell, over, bell, atLimit, bell), Wire.concat(bell, bell, atLimit, bell), 8, true, 1);
  }

  @Test
  void extendedClipboardMessagesAreFramedByTheirAbsoluteLength() throws Exception {
    byte[] caps = Wire.of().u8(3, 0, 0, 0).s32(-8).u32(0x01000001L).u32(4096).bytes();
    assertEverySplit(Wire.concat(caps, new byte[] {2}), Wire.concat(caps, new byte[] {2}), 1024, true, 0);
    assertEverySplit(Wire.concat(caps, new byte[] {2}), new byte[] {2}, 1024, false, 1);
  }

  /** A hostile target's caps with a tail: TigerVNC's CMsgReader and noVNC would read the tail as messages. */
  @Test
  void anExtendedServerCutTextWhoseLengthDisagreesWithItsFlagsIsDropped() throws Exception {
    byte[] tail = Wire.concat(cutText("inner"), new byte[] {2});
    byte[] smuggler = Wire.of().u8(3, 0, 0, 0).s32(-(8 + tail.length)).u32(0x01000001L).u32(4096).raw(tail).bytes();
    byte[] notify = Wire.of().u8(3, 0, 0, 0).s32(-4).u32(0x08000001L).bytes();
    byte[] provide = Wire.of().u8(3, 0, 0, 0).s32(-7).u32(0x10000001L).u8(0x78, 0x9c, 3).bytes();
    byte[] notifyWithTail = Wire.of().u8(3, 0, 0, 0).s32(-5).u32(0x08000001L).u8(2).bytes();
    byte[] stream = Wire.concat(notify, smuggler, provide, notifyWithTail, new byte[] {2});
    for (Splits.Split split : Splits.of(stream)) {
      List<String> drops = new ArrayList<>();
      Fed fed = feed(framer(1024, true, drops), split.buffers(), drops);
      assertArrayEquals(Wire.concat(notify, provide, new byte[] {2}), fed.forwarded(), split.label());
      assertEquals(List.of(
          "ServerCutText " + smuggler.length + " " + ClientMessageFramer.MALFORMED + "an extended clipboard message of "
              + (8 + tail.length) + " bytes whose flags make it 8",
          "ServerCutText 13 " + ClientMessageFramer.MALFORMED + "an extended clipboard message of 5 bytes whose flags make it 4"),
          drops, split.label());
    }
  }

  @Test
  void aHugeDroppedClipboardIsSkippedNotBuffered() throws Exception {
    List<String> drops = new ArrayList<>();
    ServerMessageFramer framer = framer(16, true, drops);
    byte[] header = Wire.of().u8(3, 0, 0, 0).u32(50_000_000).bytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ServerMessageFramer.Output sink = new ServerMessageFramer.Output() {
      @Override
      public void forward(int from, int to) {
        out.write(0);
      }

      @Override
      public void forwardHeld(byte[] bytes, int length) {
        out.write(0);
      }
    };
    framer.feed(Buffer.buffer(header), sink);
    byte[] chunk = new byte[1 << 20];
    for (int i = 0; i < 47; i++) framer.feed(Buffer.buffer(chunk), sink);
    framer.feed(Buffer.buffer(new byte[50_000_000 - 47 * (1 << 20)]), sink);
    framer.feed(Buffer.buffer(new byte[] {2}), sink);
    assertEquals(1, out.size(), "only the Bell after it is forwarded");
    assertEquals(1, drops.size());
    assertTrue(drops.get(0).contains("exceeds the limit of 16 bytes"), drops.get(0));
  }

  @Test
  void unknownMessagesAndEncodingsStopTheStreamWithAReason() {
    RfbException type = assertThrows(RfbException.class,
        () -> feed(framer(1024, true, new ArrayList<>()), List.of(Buffer.buffer(new byte[] {2, 77})), List.of()));
    assertEquals("sent unknown RFB message type 77", type.failure().message());
    assertEquals(RfbFailure.Cause.PROTOCOL_ERROR, type.failure().cause());

    byte[] jpeg = rect(update(1), 4, 4, 21).zeros(10).bytes();
    RfbException encoding = assertThrows(RfbException.class,
        () -> feed(framer(1024, true, new ArrayList<>()), List.of(Buffer.buffer(jpeg)), List.of()));
    assertTrue(encoding.failure().message().startsWith("sent a rectangle in encoding 21, which the gateway cannot frame"),
        encoding.failure().message());

    byte[] fence = Wire.of().u8(248, 0, 0, 0).u32(0).u8(200).bytes();
    assertThrows(RfbException.class, () -> feed(framer(1024, true, new ArrayList<>()), List.of(Buffer.buffer(fence)), List.of()));
  }

  @Test
  void aFailedFramerKeepsFailing() {
    ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
    assertThrows(RfbException.class, () -> feed(framer, List.of(Buffer.buffer(new byte[] {99})), List.of()));
    assertThrows(RfbException.class, () -> feed(framer, List.of(Buffer.buffer(new byte[] {2})), List.of()));
  }

  /** 16 bpp, depth 16, true colour 31/63/31. */
  private static byte[] pixelFormat16() {
    return Wire.of().u8(16, 16, 0, 1).u16(31).u16(63).u16(31).u8(11, 5, 0).zeros(3).bytes();
  }

  @Test
  void aNewPixelFormatCountsFromTheNextUpdate() throws Exception {
    ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
    byte[] old = rect(update(1), 2, 2, 0).zeros(2 * 2 * 4).bytes();
    feed(framer, List.of(Buffer.buffer(old)), List.of());
    framer.pixelFormatSent(pixelFormat16(), false);
    byte[] now = Wire.concat(rect(update(1), 2, 2, 0).zeros(2 * 2 * 2).bytes(), new byte[] {2});
    byte[] out = feed(framer, List.of(Buffer.buffer(now)), List.of()).forwarded();
    assertArrayEquals(now, out);
    assertEquals(3, framer.messagesForwarded(), "the Bell after the 16 bpp update is its own message");
  }

  @Test
  void aPixelFormatSynchronisedByAFenceCountsFromTheFenceAnswer() throws Exception {
    ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
    framer.pixelFormatSent(pixelFormat16(), true);
    byte[] inFlight = rect(update(1), 2, 2, 0).zeros(2 * 2 * 4).bytes();    // still 32 bpp
    byte[] answer = Wire.of().u8(248, 0, 0, 0).u32(0x4).u8(0).bytes();     // fence response (no request bit)
    byte[] after = rect(update(1), 2, 2, 0).zeros(2 * 2 * 2).bytes();      // 16 bpp
    byte[] stream = Wire.concat(inFlight, answer, after, new byte[] {2});
    assertArrayEquals(stream, feed(framer, List.of(Buffer.buffer(stream)), List.of()).forwarded());
    assertEquals(4, framer.messagesForwarded());
  }

  /**
   * A viewer sends a plain fence request A, an update request, then its synchronising fence B and
   * a SetPixelFormat. The target answers A, sends the update in the old format, then answers B: the
   * new format counts from B's answer, not from the first answer after the SetPixelFormat.
   */
  @Test
  void aPixelFormatWaitsForTheAnswerToItsOwnFenceNotAnEarlierOne() throws Exception {
    ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
    framer.pixelFormatSent(pixelFormat16(), 2, false);        // B is the connection's 2nd fence request
    byte[] answerA = Wire.of().u8(248, 0, 0, 0).u32(0).u8(1).u8(7).bytes();
    byte[] old = rect(update(1), 2, 2, 0).zeros(2 * 2 * 4).bytes();   // still 32 bpp
    byte[] answerB = Wire.of().u8(248, 0, 0, 0).u32(0x4).u8(0).bytes();
    byte[] now = rect(update(1), 2, 2, 0).zeros(2 * 2 * 2).bytes();   // 16 bpp
    byte[] stream = Wire.concat(answerA, old, answerB, now, new byte[] {2});
    for (Splits.Split split : Splits.of(stream)) {
      ServerMessageFramer f = framer(1024, true, new ArrayList<>());
      f.pixelFormatSent(pixelFormat16(), 2, false);
      assertArrayEquals(stream, feed(f, split.buffers(), List.of()).forwarded(), split.label());
      assertEquals(5, f.messagesForwarded(), split.label());
    }
    assertArrayEquals(stream, feed(framer, List.of(Buffer.buffer(stream)), List.of()).forwarded());
  }

  @Test
  void theAnswerToTheGatewaysOwnFenceIsNotForwardedAndSwitchesTheFormat() throws Exception {
    byte[] serverRequest = Wire.of().u8(248, 0, 0, 0).u32(0x80000000L).u8(0).bytes();
    byte[] old = rect(update(1), 2, 2, 0).zeros(2 * 2 * 4).bytes();
    byte[] ownAnswer = Wire.of().u8(248, 0, 0, 0).u32(0x5).u8(0).bytes();
    byte[] now = rect(update(1), 2, 2, 0).zeros(2 * 2 * 2).bytes();
    byte[] stream = Wire.concat(serverRequest, old, ownAnswer, now, new byte[] {2});
    for (Splits.Split split : Splits.of(stream)) {
      ServerMessageFramer f = framer(1024, true, new ArrayList<>());
      int[] support = {0};
      f.onFenceSupport(() -> support[0]++);
      f.pixelFormatSent(pixelFormat16(), 1, true);
      assertArrayEquals(Wire.concat(serverRequest, old, now, new byte[] {2}), feed(f, split.buffers(), List.of()).forwarded(),
          split.label());
      assertEquals(1, support[0], split.label());
    }
  }

  @Test
  void tightPixelsAreFourBytesWhenTheFormatIsNot888() throws Exception {
    ServerMessageFramer framer = new ServerMessageFramer(
        Wire.of().u8(32, 32, 0, 1).u16(1023).u16(1023).u16(1023).u8(20, 10, 0).zeros(3).bytes(), 1024, true, null);
    byte[] fill = Wire.concat(rect(update(1), 4, 4, 7).u8(0x80).zeros(4).bytes(), new byte[] {2});
    assertArrayEquals(fill, feed(framer, List.of(Buffer.buffer(fill)), List.of()).forwarded());
    assertEquals(2, framer.messagesForwarded());
  }

  /**
   * Issue #12, item 2: noVNC 1.7 (_framebufferUpdate) and TigerVNC's CMsgReader count 65535
   * rectangles like any other number and stop early only at a LastRect. A hostile target sends
   * 65535 empty rectangles and then a ServerCutText: the viewer reads it as a ServerCutText, so the
   * gateway must judge it as one (a framer waiting for a LastRect would pass it as a rectangle).
   */
  @Test
  void anUpdateOf65535RectanglesIsACountAndTheClipboardAfterItIsJudged() throws Exception {
    Wire w = update(0xFFFF);
    for (int i = 0; i < 0xFFFF; i++) rect(w, 0, 0, 0);
    byte[] update = w.bytes();
    byte[] secret = cutText("a secret the target smuggles");
    byte[] stream = Wire.concat(update, secret, new byte[] {2});
    for (int at : new int[] {1, 3, 4, update.length - 1, update.length, update.length + 1, update.length + 8, stream.length - 1}) {
      List<String> drops = new ArrayList<>();
      ServerMessageFramer framer = framer(1024, false, drops);
      byte[] out = feed(framer, List.of(Buffer.buffer(stream).slice(0, at), Buffer.buffer(stream).slice(at, stream.length)),
          drops).forwarded();
      assertArrayEquals(Wire.concat(update, new byte[] {2}), out, "split at " + at);
      assertEquals(List.of("ServerCutText " + secret.length + " clipboard to viewer disabled"), drops, "split at " + at);
      assertEquals(2, framer.messagesForwarded(), "split at " + at);
    }
    // over max-bytes likewise
    List<String> drops = new ArrayList<>();
    byte[] out = feed(framer(8, true, drops), List.of(Buffer.buffer(stream)), drops).forwarded();
    assertArrayEquals(Wire.concat(update, new byte[] {2}), out);
    assertEquals(1, drops.size(), drops.toString());
    // a LastRect still ends it early
    byte[] early = Wire.concat(rect(rect(update(0xFFFF), 0, 0, 0), 0, 0, -224).bytes(), secret, new byte[] {2});
    assertEverySplit(early, Wire.concat(rect(rect(update(0xFFFF), 0, 0, 0), 0, 0, -224).bytes(), new byte[] {2}), 1024, false, 1);
  }

  /**
   * Fuzzing finding A: noVNC 1.7's zlib decoder reads nothing for a rectangle of zero width or
   * height, not even the 4-byte length, while TigerVNC and noVNC read the header of empty CopyRect,
   * RRE, Tight, ZRLE and H.264 rectangles and older viewers skip every empty rectangle. A hostile
   * target sent an empty zlib rectangle and then a ServerCutText: the old framer took the cut text's
   * first bytes for the length and passed the rest unread, and noVNC read a ServerCutText that
   * clipboard.to-viewer: false should have dropped. Viewers disagree, so such a rectangle is refused
   * with a reason, and nothing from it on reaches the viewer.
   */
  @Test
  void anEmptyRectangleViewersReadDifferentlyIsRefusedWithAReason() throws Exception {
    byte[] secret = cutText("hello");
    for (int encoding : new int[] {6, 1, 2, 4, 7, 16, 17, 50, -260}) {
      for (int[] size : new int[][] {{0, 0}, {0, 5}, {7, 0}}) {
        byte[] header = update(1).bytes();
        byte[] stream = Wire.concat(rect(update(1), size[0], size[1], encoding).bytes(), secret, new byte[] {2});
        for (Splits.Split split : Splits.of(stream)) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          ServerMessageFramer framer = framer(1024, false, new ArrayList<>());
          RfbException e = assertThrows(RfbException.class, () -> {
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
            }
          }, encoding + " " + split.label());
          assertEquals(RfbFailure.Cause.PROTOCOL_ERROR, e.failure().cause());
          assertTrue(e.getMessage().startsWith("sent a ") && e.getMessage().contains(" rectangle of " + size[0] + "x" + size[1]
              + " pixels, which viewers read differently"), e.getMessage());
          // at most the update's and the rectangle's headers (forwarded as they passed), nothing after
          assertTrue(out.size() <= header.length + 12, "nothing after the rectangle's header is forwarded: " + out.size());
        }
      }
    }
    // the reproducer the fuzzer committed, byte for byte (after its 2-byte settings header)
    RfbException e = assertThrows(RfbException.class, () -> feed(framer(1024, false, new ArrayList<>()),
        List.of(Buffer.buffer(java.util.HexFormat.of().parseHex("00000001" + "0000000000000000" + "00000006"
            + "03000000" + "00000005" + "68656c6c6f"))), List.of()));
    assertTrue(e.getMessage().startsWith("sent a zlib rectangle of 0x0 pixels"), e.getMessage());
    // empty Raw and Hextile rectangles carry nothing for every viewer: they pass
    byte[] empty = Wire.concat(rect(rect(update(2), 0, 3, 0), 5, 0, 5).bytes(), new byte[] {2});
    assertEverySplit(empty, empty, 1024, true, 0);
  }

  /**
   * Fuzzing finding B: a Tight palette of one colour is packed at 1 bit a pixel by both viewers
   * (TigerVNC's TightDecoder: palSize <= 2; noVNC's tight.js: numColors <= 2). A framer that takes
   * 8 bits a pixel reads a compact length from the packed bits and passes the ServerCutText after
   * them unjudged.
   */
  @Test
  void aTightPaletteOfOneColourIsOneBitAPixel() throws Exception {
    // 8x2 pixels, palette of 1: (8 + 7) / 8 * 2 = 2 bytes of packed pixels, under 12: no length
    byte[] update = rect(update(1), 8, 2, 7).u8(0x40).u8(1).u8(0).u8(0x11, 0x22, 0x33).u8(0xaa, 0xbb).bytes();
    byte[] stream = Wire.concat(update, cutText("hello"), new byte[] {2});
    assertEverySplit(stream, Wire.concat(update, new byte[] {2}), 1024, false, 1);
    // 100x100, palette of 1: 13 * 100 bytes, compressed: a 2-byte compact length (0x94 0x0a = 1300)
    byte[] big = Wire.concat(rect(update(1), 100, 100, 7).u8(0x40).u8(1).u8(0).zeros(3).u8(0x94, 0x0a).zeros(1300).bytes(),
        new byte[] {2});
    assertEverySplit(big, big, 1024, true, 0);
  }

  /**
   * Fuzzing finding C: viewers read an extended ServerCutText by its flags. Caps with more action
   * bits is still caps to both (TigerVNC: action &amp; caps; noVNC: isCaps), read as 4 + 4·formats;
   * caps shorter than that is read past its end by noVNC (TigerVNC closes); a provide without the
   * text format is read as its 4 bytes of flags by noVNC and whole by TigerVNC.
   */
  @Test
  void extendedServerCutTextPassesOnlyWhereBothViewersReadItsLength() throws Exception {
    byte[] capsAndRequest = Wire.of().u8(3, 0, 0, 0).s32(-8).u32(0x03000001L).u32(4096).bytes();
    byte[] capsShort = Wire.of().u8(3, 0, 0, 0).s32(-4).u32(0x01000001L).bytes();
    byte[] provideNoText = Wire.of().u8(3, 0, 0, 0).s32(-(4 + 13)).u32(0x10000002L).raw(cutText("hello")).bytes();
    byte[] provideNoTextEmpty = Wire.of().u8(3, 0, 0, 0).s32(-4).u32(0x10000002L).bytes();
    byte[] provideText = Wire.of().u8(3, 0, 0, 0).s32(-7).u32(0x10000001L).u8(0x78, 0x9c, 3).bytes();
    byte[] bell = {2};
    byte[] stream = Wire.concat(capsAndRequest, capsShort, bell, provideNoText, provideNoTextEmpty, provideText, bell);
    for (Splits.Split split : Splits.of(stream)) {
      List<String> drops = new ArrayList<>();
      Fed fed = feed(framer(1024, true, drops), split.buffers(), drops);
      assertArrayEquals(Wire.concat(capsAndRequest, bell, provideNoTextEmpty, provideText, bell), fed.forwarded(), split.label());
      assertEquals(List.of(
          "ServerCutText 12 " + ClientMessageFramer.MALFORMED + "an extended clipboard message of 4 bytes whose flags make it 8",
          "ServerCutText 25 " + ClientMessageFramer.MALFORMED + "an extended clipboard provide of 17 bytes without the text"
              + " format, of which noVNC reads only the 4 bytes of flags and TigerVNC all"),
          drops, split.label());
    }
  }

  @Test
  void theTargetsExtendedMouseButtonsRectangleIsTold() throws Exception {
    ServerMessageFramer framer = framer(1024, true, new ArrayList<>());
    int[] told = {0};
    framer.onExtendedMouseButtons(() -> told[0]++);
    byte[] stream = Wire.concat(rect(update(1), 0, 0, -313).bytes(), new byte[] {2});
    feed(framer, List.of(Buffer.buffer(stream)), List.of());
    assertEquals(0, told[0]);
    byte[] confirm = Wire.concat(rect(rect(update(2), 0, 0, -316), 2, 2, 0).zeros(16).bytes(), new byte[] {2});
    assertArrayEquals(confirm, feed(framer, List.of(Buffer.buffer(confirm)), List.of()).forwarded());
    assertEquals(1, told[0]);
  }

  @Test
  void tightPixelsAreFourBytesWhenShiftsAreNotByteAligned() throws Exception {
    // 32 bpp, depth 24, 255 maxima, red shift 17: TigerVNC's is888() is false, so 4-byte pixels
    ServerMessageFramer framer = new ServerMessageFramer(
        Wire.of().u8(32, 24, 0, 1).u16(255).u16(255).u16(255).u8(17, 8, 0).zeros(3).bytes(), 1024, true, null);
    byte[] fill = Wire.concat(rect(update(1), 4, 4, 7).u8(0x80).zeros(4).bytes(), new byte[] {2});
    assertArrayEquals(fill, feed(framer, List.of(Buffer.buffer(fill)), List.of()).forwarded());
    assertEquals(2, framer.messagesForwarded());
  }

  @Test
  void encodingsCanFrameNamesWhatSetEncodingsMayKeep() {
    for (int e : new int[] {0, 1, 2, 5, 6, 7, 16, -223, -224, -239, -258, -308, -312, -313, -256, -247, -32, -23, 0xC0A1E5CE,
        -512, -412, -768, -763, 0x574d5666}) {
      assertTrue(Encodings.canFrame(e), "encoding " + e);
    }
    for (int e : new int[] {21, 15, -314, -311, -246, -33, -411, -513, -762, -769, 99, 0x574d5665}) {
      assertFalse(Encodings.canFrame(e), "encoding " + e);
    }
  }
}
