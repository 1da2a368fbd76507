package io.vncgate.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.ViewerHandshake;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Fuzzes the gateway as RFB server to a viewer (banner to ServerInit), in both security modes and
 * with the gateway admitting or refusing at the admission point: whatever a viewer sends, the
 * handshake never throws, ends once the viewer has sent a few more bytes (never waits for ever on a
 * mistake), decides the same for any split into reads, hands the bytes after ClientInit on untouched,
 * and never puts the viewer's VNC response (the proof of its ticket) in a failure message.
 *
 * <p>Input: byte 0 settings (bit 0: VNC authentication, i.e. the TCP front's ticket check; bit 1:
 * admit, else refuse), byte 1 the split seed, then what the viewer sends.
 */
class ViewerHandshakeFuzzTest {

  static final int HEADER = 2;
  /** The most a waiting handshake can need: the 16-byte VNC response plus ClientInit. */
  private static final int ENOUGH = 17;
  private static final String REFUSAL = "the password is not a valid ticket (tickets work once and expire)";
  private static final ServerInit SERVER_INIT =
      new ServerInit(720, 400, ServerFramerFuzzTest.NOVNC_FORMAT, "fuzz desktop");

  @FuzzTest(maxDuration = "25s")
  void endsOrFailsWithoutEchoingTheTicketProof(byte[] input) {
    if (input.length < HEADER) return;
    ViewerHandshake.Security security = (input[0] & 1) != 0 ? ViewerHandshake.Security.VNC_AUTH : ViewerHandshake.Security.NONE;
    boolean admit = (input[0] & 2) != 0;
    String sent = new String(input, HEADER, input.length - HEADER, java.nio.charset.StandardCharsets.ISO_8859_1)
        .toLowerCase(Locale.ROOT);
    Outcome single = run(security, admit, sent, Feeds.single(input, HEADER, input.length));
    Outcome cut = run(security, admit, sent, Feeds.cut(input, HEADER, input.length, (input[1] & 0xFF) | 1));
    assertEquals(single.describe(), cut.describe(), "the same bytes give the same outcome whatever the reads");
    assertEquals(single.written, cut.written, "as many bytes written whatever the reads (the challenge is random)");
    for (Outcome o : List.of(single, cut)) {
      if (o.last instanceof HandshakeStep.Ready ready) {
        byte[] leftover = ready.leftover().getBytes();
        assertArrayEquals(Arrays.copyOfRange(input, HEADER + o.fed - leftover.length, HEADER + o.fed), leftover,
            "the bytes after ClientInit go on untouched");
      }
    }
    if (single.last instanceof HandshakeStep.Continue) {
      HandshakeStep after = single.feed(new byte[ENOUGH]);
      assertFalse(after instanceof HandshakeStep.Continue, "still waiting after " + ENOUGH
          + " more bytes in phase " + single.handshake.phase());
    }
  }

  private static Outcome run(ViewerHandshake.Security security, boolean admit, String sent, List<byte[]> feeds) {
    Outcome o = new Outcome(new ViewerHandshake(security), admit, sent);
    o.written += o.handshake.start().length();
    for (byte[] feed : feeds) {
      HandshakeStep step = o.feed(feed);
      if (step instanceof HandshakeStep.Failed || step instanceof HandshakeStep.Ready) break;
    }
    return o;
  }

  static final class Outcome {
    final ViewerHandshake handshake;
    final boolean admit;
    int written;
    byte[] response;
    HandshakeStep last;
    int fed;
    int consumed;

    /** What the viewer sent, as ISO-8859-1 lower case: the gateway may quote it back (a bad banner). */
    final String sent;

    Outcome(ViewerHandshake handshake, boolean admit, String sent) {
      this.handshake = handshake;
      this.admit = admit;
      this.sent = sent;
    }

    HandshakeStep feed(byte[] bytes) {
      fed += bytes.length;
      HandshakeStep step = check(handshake.onData(Buffer.buffer(bytes)));
      if (step instanceof HandshakeStep.AwaitAdmission await) {
        response = await.response();
        if (response != null) assertEquals(16, response.length);
        step = check(admit ? handshake.admit(SERVER_INIT) : handshake.refuse(REFUSAL));
      }
      if (step instanceof HandshakeStep.Ready r) consumed = fed - r.leftover().length();
      if (step instanceof HandshakeStep.Failed) {
        HandshakeStep again = handshake.onData(Buffer.buffer(new byte[] {0}));
        assertTrue(again instanceof HandshakeStep.Failed f && f.output().length() == 0, "after Failed: the same failure, nothing to write");
      }
      return step;
    }

    private HandshakeStep check(HandshakeStep step) {
      last = step;
      written += step.output().length();
      if (step instanceof HandshakeStep.Failed failed) {
        String message = failed.failure().message();
        assertFalse(message.isBlank(), "a failure says what happened");
        if (response != null) {
          String hex = HexFormat.of().formatHex(response);
          assertFalse(message.toLowerCase(Locale.ROOT).contains(hex) && !sent.contains(hex),
              "the viewer's VNC response in a failure message: " + message);
          assertFalse(UpstreamHandshakeFuzzTest.contains(failed.output().getBytes(), response),
              "the viewer's VNC response echoed back");
        }
      }
      return step;
    }

    String describe() {
      return last == null ? "nothing fed"
          : last instanceof HandshakeStep.Failed f ? "Failed " + f.failure().cause() + ": "
              + UpstreamHandshakeFuzzTest.withoutQuote(f.failure().message())
          : last instanceof HandshakeStep.Ready r ? "Ready shared=" + r.shared() + " after " + consumed + " bytes"
          : last.getClass().getSimpleName() + " in " + handshake.phase();
    }
  }
}
