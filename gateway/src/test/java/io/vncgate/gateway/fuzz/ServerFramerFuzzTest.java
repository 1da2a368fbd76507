package io.vncgate.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure;
import io.vncgate.gateway.rfb.ServerMessageFramer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fuzzes the server-to-viewer framer as {@code relay/ServerMessageFilter} drives it (ranges of each
 * read, held header bytes, spliced payload told through {@code skipped}): whatever a target sends,
 * with any clipboard setting, noVNC 1.7 reads from the forwarded bytes exactly the messages the
 * framer judged and passed, for any split into reads; the framer fails only with its own
 * {@link RfbException}.
 *
 * <p>What the gateway forwards may lack messages that came: ServerCutTexts dropped by policy, size
 * or structure, and the answer to the gateway's own fence; the expected messages are those it judged
 * and passed.
 *
 * <p>Input: byte 0 settings (bit 0: clipboard to viewer allowed, bits 1-2: clipboard cap, bit 3: the
 * gateway sent a fence of its own before a SetPixelFormat (noVNC's format again), so the first fence
 * answer is the gateway's and is not forwarded), byte 1 the split seed, then the target's stream
 * after ServerInit (pixel format: noVNC's 32 bpp depth 24).
 */
class ServerFramerFuzzTest {

  static final int HEADER = 2;
  /** What noVNC asks for: 32 bpp, depth 24, little endian, true colour, 255/255/255, shifts 16/8/0. */
  static final byte[] NOVNC_FORMAT = {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0};
  private static final long[] CAPS = {0, 100, 4096, 10L << 20};

  @FuzzTest(maxDuration = "25s")
  void forwardsExactlyTheMessagesNoVncReads(byte[] input) throws Exception {
    if (input.length < HEADER) return;
    boolean clipboard = (input[0] & 1) != 0;
    long cap = CAPS[(input[0] >> 1) & 3];
    boolean gatewayFence = (input[0] & 8) != 0;
    int seed = input[1] & 0xFF;

    Run single = new Run(clipboard, cap, gatewayFence);
    single.feed(Feeds.single(input, HEADER, input.length), true, 0);
    Run cut = new Run(clipboard, cap, gatewayFence);
    cut.feed(Feeds.cut(input, HEADER, input.length, seed | 1), false, seed);
    Run whole = new Run(clipboard, cap, gatewayFence);
    whole.feed(Feeds.cut(input, HEADER, input.length, 0), false, 0);

    byte[] forwarded = single.out.toByteArray();
    Oracle.sameWhateverTheReads(single.outcome(), List.of(cut.outcome(), whole.outcome()));
    Oracle.agree("noVNC 1.7", forwarded, single.ends, NoVncServerMessages.read(forwarded));
  }

  /** One framer fed one way, as ServerMessageFilter does. */
  static final class Run implements ServerMessageFramer.Output {
    final ServerMessageFramer framer;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final List<Integer> ends = new ArrayList<>();
    String failure;

    Oracle.Outcome outcome() {
      return new Oracle.Outcome(out.toByteArray(), failure, framer.messagesForwarded(), framer.messagesDropped());
    }
    private byte[] chunk;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    Run(boolean clipboard, long cap, boolean gatewayFence) {
      this.framer = new ServerMessageFramer(NOVNC_FORMAT, cap, clipboard, (name, bytes, reason, why) -> {
        if (bytes < 8 || reason == null || why == null || why.isEmpty()) throw new AssertionError("a drop without a size or a reason");
      });
      if (gatewayFence) framer.pixelFormatSent(NOVNC_FORMAT, 1, true);
    }

    @Override
    public void forward(int from, int to) {
      assertTrue(0 <= from && from < to && to <= chunk.length, "a range of the chunk: " + from + ".." + to);
      pending.write(chunk, from, to - from);
    }

    @Override
    public void forwardHeld(byte[] bytes, int length) {
      assertTrue(length > 0 && length <= 16, "held bytes are a header: " + length);
      pending.write(bytes, 0, length);
    }

    /** @param spliceSeed not 0: sometimes pass opaque payload on unseen, as the splicing relay does */
    void feed(List<byte[]> chunks, boolean oneByteEach, int spliceSeed) throws Exception {
      SplittableRandom random = new SplittableRandom(spliceSeed);
      for (byte[] c : chunks) {
        long done = framer.messagesForwarded();
        int from = 0;
        try {
          long ahead = framer.opaqueBytesAhead();
          if (spliceSeed != 0 && ahead > 0 && random.nextBoolean()) {
            int n = (int) Math.min(ahead, 1 + random.nextInt(c.length));
            out.write(c, 0, n);
            framer.skipped(n);
            from = n;
          }
          if (from < c.length) {
            chunk = Arrays.copyOfRange(c, from, c.length);
            framer.feed(Buffer.buffer(chunk), this);
          }
        } catch (RfbException e) {
          assertEquals(RfbFailure.Cause.PROTOCOL_ERROR, e.failure().cause());
          assertTrue(!e.getMessage().isBlank(), "a failure says what happened");
          failure = e.getMessage();
          pending.reset(); // ServerMessageFilter sends nothing of the read that failed
          return;
        }
        pending.writeTo(out);
        pending.reset();
        long now = framer.messagesForwarded();
        if (oneByteEach) {
          assertTrue(now - done <= 1, "one byte completes at most one message");
          if (now > done) ends.add(out.size());
        }
      }
    }
  }
}
