package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The viewer's SetEncodings is narrowed ({@link ClientMessageFramer}) to the encodings the
 * server-side framer can follow ({@link ServerMessageFramer}): both read {@link Encodings}, and this
 * holds them to each other by running both, not by comparing lists. An encoding the narrowing let
 * through but the framer refused would close the viewer's connection at the target's first
 * rectangle in it; one the framer follows but the narrowing dropped would be a picture format the
 * viewer can never get.
 */
class EncodingsAgreementTest {

  @Test
  void setEncodingsKeepsExactlyTheEncodingsTheServerFramerFrames() throws RfbException {
    TreeSet<Integer> candidates = new TreeSet<>();
    for (int e = -1100; e <= 1100; e++) candidates.add(e);
    // the VMware range, the extended clipboard, and their neighbours
    for (int e = 0x574d5660; e <= 0x574d56ff; e++) candidates.add(e);
    for (int d = -2; d <= 2; d++) candidates.add(Encodings.EXTENDED_CLIPBOARD + d);
    candidates.add(Integer.MIN_VALUE);
    candidates.add(Integer.MAX_VALUE);

    List<Integer> keptButNotFramed = new ArrayList<>();
    List<Integer> framedButDropped = new ArrayList<>();
    int framed = 0;
    for (int e : candidates) {
      boolean kept = narrowingKeeps(e);
      boolean frames = serverFramerFollows(e);
      if (frames) framed++;
      if (kept && !frames && !Encodings.neverARectangle(e)) keptButNotFramed.add(e);
      if (frames && !kept) framedButDropped.add(e);
    }
    assertEquals(List.of(), keptButNotFramed, "let through by SetEncodings, refused by the server framer");
    assertEquals(List.of(), framedButDropped, "followed by the server framer, dropped from SetEncodings");
    assertTrue(framed >= 28, "the framer follows the known encodings (" + framed + ")"); // the test reached the framer
    // the ones that never come as rectangles are refused by the framer if a server sent them anyway
    assertTrue(!serverFramerFollows(Encodings.EXTENDED_CLIPBOARD) && !serverFramerFollows(-250));
    // and JPEG (no length) is neither
    assertTrue(!narrowingKeeps(21) && !serverFramerFollows(21));
  }

  /** Whether a SetEncodings listing only {@code encoding} reaches the server with it. */
  private static boolean narrowingKeeps(int encoding) throws RfbException {
    ClientMessageFramer framer = new ClientMessageFramer(MessagePolicy.CONTROLLER, 1024, true, null);
    Buffer out = framer.feed(Buffer.buffer().appendByte((byte) 2).appendByte((byte) 0).appendUnsignedShort(1)
        .appendInt(encoding));
    if (out.length() == 8) return out.getInt(4) == encoding;
    assertEquals(4, out.length(), "a SetEncodings of nothing when the one encoding is dropped");
    return false;
  }

  /**
   * Whether the server framer takes a 1x1 rectangle in {@code encoding} (the header of a
   * FramebufferUpdate with one such rectangle, the rest of its payload still to come).
   */
  private static boolean serverFramerFollows(int encoding) {
    ServerMessageFramer framer = new ServerMessageFramer(Wire.pixelFormat32(), 1024, true, (type, bytes, reason, why) -> { });
    Buffer update = Buffer.buffer().appendByte((byte) ServerMessageType.FRAMEBUFFER_UPDATE).appendByte((byte) 0)
        .appendUnsignedShort(1)
        .appendUnsignedShort(0).appendUnsignedShort(0).appendUnsignedShort(1).appendUnsignedShort(1).appendInt(encoding);
    try {
      framer.feed(update, new ServerMessageFramer.Output() {
        @Override
        public void forward(int from, int to) {
        }

        @Override
        public void forwardHeld(byte[] bytes, int length) {
        }
      });
      return true;
    } catch (RfbException e) {
      assertTrue(e.getMessage().contains("cannot frame"), e.getMessage());
      return false;
    }
  }
}
