package io.vncgate.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the viewer-to-server framer: whatever a viewer sends, with either role (switched
 * mid-stream, as control handover does) and any clipboard setting, Xvnc 1.12 reads from the
 * forwarded bytes exactly the messages the framer judged and passed, for any split into reads;
 * the framer fails only with its own {@link RfbException} and holds no more than one allowed
 * message.
 *
 * <p>What the gateway forwards may differ from what came (padding zeroed, a pointer event's marker
 * bit cleared, the gateway's own fence before a SetPixelFormat, malformed messages dropped, the
 * releases of keys and buttons held at a switch to observer): the expected messages are those the
 * gateway judged and passed, plus each fence it added, which the server must read as one message
 * of its own right before that SetPixelFormat, plus each release, read as one message at the switch.
 *
 * <p>Input: byte 0 settings (bit 0: observer first, bit 1: observer after the switch, bit 2:
 * clipboard to server allowed, bits 3-4: clipboard cap, bit 5: the target supports fences (the
 * gateway adds its own before a SetPixelFormat once updates were requested), bit 6: the target
 * supports ExtendedMouseButtons and confirms it at the switch (read as a later TigerVNC, else as
 * Xvnc 1.12)), byte 1 the split seed, bytes 2-3 where the role switches (U16, counted from byte 4),
 * then the viewer's post-handshake stream.
 */
class ClientFramerFuzzTest {

  static final int HEADER = 4;
  private static final long[] CAPS = {0, 100, 4096, XvncClientMessages.MAX_CUT_TEXT};
  /** The longest message the framer may hold: SetEncodings of 65535 (a clipboard message within the cap is shorter). */
  private static final long MAX_HELD = 4 + 4 * 65535L;

  @FuzzTest(maxDuration = "25s")
  void forwardsExactlyTheMessagesXvncReads(byte[] input) throws Exception {
    if (input.length < HEADER) return;
    int settings = input[0] & 0xFF;
    MessagePolicy first = (settings & 1) != 0 ? MessagePolicy.OBSERVER : MessagePolicy.CONTROLLER;
    MessagePolicy then = (settings & 2) != 0 ? MessagePolicy.OBSERVER : MessagePolicy.CONTROLLER;
    boolean clipboard = (settings & 4) != 0;
    long cap = CAPS[(settings >> 3) & 3];
    boolean fences = (settings & 32) != 0;
    boolean extendedPointer = (settings & 64) != 0;
    int seed = input[1] & 0xFF;
    int switchAt = Math.min(input.length, HEADER + ((input[2] & 0xFF) << 8 | input[3] & 0xFF));

    Run single = new Run(first, then, clipboard, cap, fences, extendedPointer);
    single.feed(Feeds.single(input, HEADER, switchAt), Feeds.single(input, switchAt, input.length), true);
    Run cut = new Run(first, then, clipboard, cap, fences, extendedPointer);
    cut.feed(Feeds.cut(input, HEADER, switchAt, seed | 1), Feeds.cut(input, switchAt, input.length, seed * 31 + 7), false);
    Run whole = new Run(first, then, clipboard, cap, fences, extendedPointer);
    whole.feed(Feeds.cut(input, HEADER, switchAt, 0), Feeds.cut(input, switchAt, input.length, 0), false);

    byte[] forwarded = single.out.toByteArray();
    Oracle.sameWhateverTheReads(single.outcome(), List.of(cut.outcome(), whole.outcome()));
    Oracle.agree(extendedPointer ? "TigerVNC with ExtendedMouseButtons" : "Xvnc 1.12", forwarded, single.ends,
        XvncClientMessages.read(forwarded, extendedPointer));
  }

  private static final byte[] FENCE = {(byte) 248, 0, 0, 0, (byte) 0x80, 0, 0, 5, 0};

  /** One framer fed one way. */
  static final class Run {
    private static final Method BUFFERED;

    static {
      try {
        BUFFERED = ClientMessageFramer.class.getDeclaredMethod("buffered");
        BUFFERED.setAccessible(true);
      } catch (NoSuchMethodException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final ClientMessageFramer framer;
    final MessagePolicy then;
    final boolean extendedPointer;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final List<Integer> ends = new ArrayList<>();
    String failure;

    Oracle.Outcome outcome() {
      return new Oracle.Outcome(out.toByteArray(), failure, framer.messagesPassed(), framer.messagesDropped());
    }
    /** SetPixelFormats passed with a fence of the gateway's own before them, not yet seen forwarded. */
    private int gatewayFences;

    Run(MessagePolicy first, MessagePolicy then, boolean clipboard, long cap, boolean fences, boolean extendedPointer) {
      this.framer = new ClientMessageFramer(first, cap, clipboard, (type, bytes, reason, why) -> {
        if (bytes < 0 || reason == null || why == null || why.isEmpty()) throw new AssertionError("a drop without a size or a reason");
      });
      this.then = then;
      this.extendedPointer = extendedPointer;
      if (fences) framer.serverFencesConfirmed();
      framer.formatListener(new ClientMessageFramer.FormatListener() {
        @Override
        public void pixelFormatSent(byte[] pixelFormat, boolean afterSyncFence) {
          throw new AssertionError("the framer tells where the format starts");
        }

        @Override
        public void pixelFormatSent(byte[] pixelFormat, long fence, boolean gatewayFence) {
          if (gatewayFence) gatewayFences++;
        }
      });
    }

    void feed(List<byte[]> before, List<byte[]> after, boolean oneByteEach) throws Exception {
      if (!feedAll(before, oneByteEach)) return;
      framer.policy(then);
      if (extendedPointer) framer.extendedPointerConfirmed();
      // as the viewer's connection does at a switch: an empty feed lets go of the keys and buttons
      // the viewer held and may no longer send, as messages of the gateway's own
      long passed = framer.messagesPassed();
      byte[] releases = framer.feed(Buffer.buffer()).getBytes();
      assertEquals(passed, framer.messagesPassed(), "an empty feed passes nothing of the viewer's");
      int at = 0;
      while (at < releases.length) {
        int size = releaseSize(releases, at);
        out.write(releases, at, size);
        at += size;
        if (oneByteEach) ends.add(out.size());
      }
      feedAll(after, oneByteEach);
    }

    /** The size of the gateway's release at {@code at}: only ups of keys and buttons, never a press. */
    private static int releaseSize(byte[] b, int at) {
      int type = b[at] & 0xFF;
      int size = switch (type) {
        case 4 -> 8; // KeyEvent: down-flag 0
        case 5 -> 6; // PointerEvent: button mask 0
        case 255 -> 12; // QEMU extended key event: subtype 0, down-flag 0
        default -> throw new AssertionError("the gateway released with message type " + type);
      };
      assertTrue(at + size <= b.length, "a release cut short");
      boolean up = switch (type) {
        case 4, 5 -> b[at + 1] == 0;
        default -> b[at + 1] == 0 && b[at + 2] == 0 && b[at + 3] == 0;
      };
      assertTrue(up, "a release that presses");
      return size;
    }

    private boolean feedAll(List<byte[]> chunks, boolean oneByteEach) throws Exception {
      for (byte[] chunk : chunks) {
        long passed = framer.messagesPassed();
        Buffer forwarded;
        try {
          forwarded = framer.feed(Buffer.buffer(chunk));
        } catch (RfbException e) {
          assertEquals(RfbFailure.Cause.VIEWER_PROTOCOL_ERROR, e.failure().cause());
          assertTrue(!e.getMessage().isBlank(), "a failure says what happened");
          failure = e.getMessage();
          return false;
        }
        out.write(forwarded.getBytes());
        long now = framer.messagesPassed();
        if (oneByteEach) {
          assertTrue(now - passed <= 1, "one byte completes at most one message");
          assertTrue(gatewayFences <= now - passed, "a fence of the gateway's own comes with the SetPixelFormat it is for");
          if (gatewayFences > 0) {
            // the gateway's own fence (request, BlockBefore, SyncNext; no payload), then the 20-byte SetPixelFormat
            byte[] all = out.toByteArray();
            int fenceAt = all.length - 20 - 9;
            assertTrue(fenceAt >= 0 && all[all.length - 20] == 0, "a SetPixelFormat after the gateway's fence");
            assertArrayEquals(FENCE, Arrays.copyOfRange(all, fenceAt, fenceAt + 9), "the gateway's own fence");
            ends.add(all.length - 20);
            gatewayFences = 0;
          }
          if (now > passed) ends.add(out.size());
        }
        gatewayFences = 0;
        int held = (int) BUFFERED.invoke(framer);
        assertTrue(held <= MAX_HELD, "the framer holds " + held + " bytes");
      }
      return true;
    }
  }
}
