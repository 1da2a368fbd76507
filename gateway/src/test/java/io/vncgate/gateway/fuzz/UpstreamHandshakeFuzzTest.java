package io.vncgate.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.UpstreamHandshake;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the gateway as RFB client to a target (banner to ServerInit): whatever a target sends, the
 * handshake never throws, ends in Ready or Failed once the target has sent enough (never waits for
 * ever on a mistake), decides the same for any split into reads, hands the bytes after ServerInit on
 * untouched, and never puts the VNC password on the wire or anything of it in a failure message
 * (checked by non-interference: another password gives the same message).
 *
 * <p>Input: byte 0 settings (bit 0: a password is configured), byte 1 the split seed, then what
 * the target sends.
 */
class UpstreamHandshakeFuzzTest {

  static final int HEADER = 2;
  static final String PASSWORD = "Pw5ecrt!";
  private static final String OTHER_PASSWORD = "q9Zx-m2K";
  /** Longer than anything the handshake may wait for (a 64 KiB desktop name plus ServerInit). */
  private static final byte[] ENOUGH = new byte[64 * 1024 + 256];

  @FuzzTest(maxDuration = "25s")
  void endsOrFailsWithoutLeakingThePassword(byte[] input) {
    if (input.length < HEADER) return;
    byte[] password = (input[0] & 1) != 0 ? PASSWORD.getBytes(StandardCharsets.US_ASCII) : null;
    Outcome single = run(password, Feeds.single(input, HEADER, input.length));
    Outcome cut = run(password, Feeds.cut(input, HEADER, input.length, (input[1] & 0xFF) | 1));
    assertEquals(single.describe(), cut.describe(), "the same bytes give the same outcome whatever the reads");
    if (password != null) {
      // non-interference: with another password of the same length the target's same bytes give the
      // same outcome and failure message, so nothing of the password (plain, hex, DES key, response)
      // is in it; quoting the target's own bytes stays allowed
      Outcome other = run(OTHER_PASSWORD.getBytes(StandardCharsets.US_ASCII), Feeds.cut(input, HEADER, input.length, 0));
      assertEquals(single.describe(), other.describe(), "the failure message depends on the password");
    }
    assertArrayEquals(single.written.toByteArray(), cut.written.toByteArray(), "the same replies whatever the reads");
    for (Outcome o : List.of(single, cut)) {
      if (o.last instanceof HandshakeStep.Ready ready) {
        byte[] leftover = ready.leftover().getBytes();
        assertArrayEquals(Arrays.copyOfRange(input, HEADER + o.fed - leftover.length, HEADER + o.fed), leftover,
            "the bytes after ServerInit go on untouched");
      }
    }
    if (single.last instanceof HandshakeStep.Continue) {
      // whatever the handshake waits for is bounded: enough bytes end it one way or the other
      HandshakeStep after = single.handshake.onData(Buffer.buffer(ENOUGH));
      assertFalse(after instanceof HandshakeStep.Continue, "still waiting after " + ENOUGH.length
          + " more bytes in phase " + single.handshake.phase());
      single.check(after, password);
    }
  }

  private static Outcome run(byte[] password, List<byte[]> feeds) {
    Outcome o = new Outcome(new UpstreamHandshake(password));
    for (byte[] feed : feeds) {
      HandshakeStep step = o.handshake.onData(Buffer.buffer(feed));
      o.fed += feed.length;
      o.check(step, password);
      if (step instanceof HandshakeStep.Ready r) o.consumed = o.fed - r.leftover().length();
      if (!(step instanceof HandshakeStep.Continue)) break;
    }
    if (o.last instanceof HandshakeStep.Failed) {
      HandshakeStep again = o.handshake.onData(Buffer.buffer(new byte[] {0}));
      assertTrue(again instanceof HandshakeStep.Failed f && f.output().length() == 0, "after Failed: the same failure, nothing to write");
    }
    return o;
  }

  static final class Outcome {
    final UpstreamHandshake handshake;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    HandshakeStep last;
    int fed;
    int consumed;

    Outcome(UpstreamHandshake handshake) {
      this.handshake = handshake;
    }

    void check(HandshakeStep step, byte[] password) {
      last = step;
      byte[] out = step.output().getBytes();
      written.writeBytes(out);
      if (password != null) {
        assertFalse(contains(written.toByteArray(), password), "the password went on the wire");
      }
      if (step instanceof HandshakeStep.Failed failed) {
        assertFalse(failed.failure().message().isBlank(), "a failure says what happened");
      }
    }

    String describe() {
      return last == null ? "nothing fed"
          : last instanceof HandshakeStep.Failed f ? "Failed " + f.failure().cause() + ": " + withoutQuote(f.failure().message())
          : last instanceof HandshakeStep.Ready r ? "Ready " + r.serverInit() + " after " + consumed + " bytes"
          : last.getClass().getSimpleName() + " in " + handshake.phase();
    }
  }

  /**
   * A failure message without the bytes it quotes: "did not speak RFB: got '...'" shows what had
   * arrived when the banner went wrong, which depends on how the bytes were read.
   */
  static String withoutQuote(String message) {
    int got = message.indexOf(": got '");
    return got < 0 ? message : message.substring(0, got);
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }
}
