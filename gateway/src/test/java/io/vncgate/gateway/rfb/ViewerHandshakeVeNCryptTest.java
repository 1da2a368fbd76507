package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep.AwaitAdmission;
import io.vncgate.gateway.rfb.HandshakeStep.Continue;
import io.vncgate.gateway.rfb.HandshakeStep.Failed;
import io.vncgate.gateway.rfb.HandshakeStep.StartTls;
import io.vncgate.gateway.rfb.Splits.Split;
import io.vncgate.gateway.rfb.ViewerHandshake.Security;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * VeNCrypt on the TCP front, byte for byte as TigerVNC's viewer (CSecurityVeNCrypt, CSecurityTLS)
 * reads it: the offer, version 0.2, the one subtype X509Vnc, the go-ahead, TLS, then the VNC-auth
 * challenge; wrong versions, subtypes and types answered in words; every split of the viewer's
 * bytes; hostile input never throws and never leaves the handshake waiting for ever.
 */
class ViewerHandshakeVeNCryptTest {
  private static final byte[] RFB38 = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RFB33 = "RFB 003.003\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHALLENGE = HexFormat.of().parseHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
  private static final byte[] RESPONSE = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

  private static ViewerHandshake handshake(Security security) {
    return new ViewerHandshake(security, CHALLENGE::clone);
  }

  private static byte[] concat(byte[]... parts) {
    Buffer b = Buffer.buffer();
    for (byte[] p : parts) b.appendBytes(p);
    return b.getBytes();
  }

  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h);
  }

  /** Feeds the split; returns all output and the last step (stops at StartTls, Failed or AwaitAdmission). */
  private record Fed(byte[] output, HandshakeStep last) {}

  private static Fed feed(ViewerHandshake hs, Split split) {
    Buffer out = Buffer.buffer();
    HandshakeStep last = null;
    for (Buffer part : split.buffers()) {
      last = hs.onData(part);
      out.appendBuffer(last.output());
      if (!(last instanceof Continue)) break;
    }
    return new Fed(out.getBytes(), last);
  }

  private static String reasonOf(byte[] out, int from) {
    Buffer b = Buffer.buffer(out);
    assertEquals(1, b.getInt(from), "SecurityResult failed");
    int len = b.getInt(from + 4);
    assertEquals(out.length, from + 8 + len, "the reason is the last thing written");
    return new String(out, from + 8, len, StandardCharsets.UTF_8);
  }

  @Test
  void offersVeNCryptFirstThenVncAuthAndGoesToTlsThenTheChallenge() {
    byte[] viewer = concat(RFB38, hex("13"), hex("0002"), hex("00000105"));
    for (Split split : Splits.of(viewer)) {
      ViewerHandshake hs = handshake(Security.VENCRYPT_OR_VNC_AUTH);
      assertArrayEquals(RFB38, hs.start().getBytes());
      Fed fed = feed(hs, split);
      assertInstanceOf(StartTls.class, fed.last(), split.label());
      // types [19, 2]; version 0.2; agreed; subtypes [261]; go-ahead
      assertArrayEquals(hex("021302" + "0002" + "00" + "01" + "00000105" + "01"), fed.output(), split.label());
      assertTrue(hs.tls(), split.label());
      HandshakeStep challenge = hs.tlsEstablished();
      assertInstanceOf(Continue.class, challenge);
      assertArrayEquals(CHALLENGE, challenge.output().getBytes(), "the VNC-auth challenge, inside TLS");
      HandshakeStep await = hs.onData(Buffer.buffer(RESPONSE));
      AwaitAdmission a = assertInstanceOf(AwaitAdmission.class, await);
      assertArrayEquals(RESPONSE, a.response());
      assertArrayEquals(hex("00000000"), hs.admit(new ServerInit(8, 8, Wire.pixelFormat32(), "d")).output().getBytes(0, 4));
    }
  }

  @Test
  void requireOffersOnlyVeNCrypt() {
    ViewerHandshake hs = handshake(Security.VENCRYPT);
    hs.start();
    HandshakeStep step = hs.onData(Buffer.buffer(RFB38));
    assertArrayEquals(hex("0113"), step.output().getBytes());
    step = hs.onData(Buffer.buffer(hex("13")));
    assertArrayEquals(hex("0002"), step.output().getBytes());
    step = hs.onData(Buffer.buffer(hex("0002")));
    assertArrayEquals(hex("000100000105"), step.output().getBytes());
    step = hs.onData(Buffer.buffer(hex("00000105")));
    assertInstanceOf(StartTls.class, step);
  }

  @Test
  void offerStillLetsAPlainVncAuthViewerIn() {
    ViewerHandshake hs = handshake(Security.VENCRYPT_OR_VNC_AUTH);
    hs.start();
    hs.onData(Buffer.buffer(RFB38));
    HandshakeStep step = hs.onData(Buffer.buffer(hex("02")));
    assertArrayEquals(CHALLENGE, step.output().getBytes(), "plain VNC auth: the challenge in the clear");
    assertInstanceOf(AwaitAdmission.class, hs.onData(Buffer.buffer(RESPONSE)));
    assertFalse(hs.tls());
  }

  @Test
  void requireRefusesPlainVncAuthInWords() {
    ViewerHandshake hs = handshake(Security.VENCRYPT);
    hs.start();
    hs.onData(Buffer.buffer(RFB38));
    Failed failed = assertInstanceOf(Failed.class, hs.onData(Buffer.buffer(hex("02"))));
    String reason = reasonOf(failed.output().getBytes(), 0);
    assertTrue(reason.contains("requires TLS") && reason.contains("X509Vnc"), reason);
    assertEquals(reason, failed.failure().message());
  }

  @Test
  void requireRefusesAnRfb33ViewerInWords() {
    ViewerHandshake hs = handshake(Security.VENCRYPT);
    hs.start();
    Failed failed = assertInstanceOf(Failed.class, hs.onData(Buffer.buffer(RFB33)));
    Buffer out = failed.output();
    assertEquals(0, out.getInt(0), "3.3: security type 0, then the reason");
    String reason = out.getString(8, 8 + out.getInt(4), "UTF-8");
    assertTrue(reason.contains("requires TLS (VeNCrypt)"), reason);
  }

  @Test
  void offerGivesAnRfb33ViewerVncAuth() {
    ViewerHandshake hs = handshake(Security.VENCRYPT_OR_VNC_AUTH);
    hs.start();
    HandshakeStep step = hs.onData(Buffer.buffer(RFB33));
    assertArrayEquals(concat(hex("00000002"), CHALLENGE), step.output().getBytes());
  }

  @Test
  void aVersionOtherThan02IsRefusedAsTigerVncDoes() {
    for (String version : new String[] {"0001", "0000", "0003", "0100", "ffff"}) {
      byte[] viewer = concat(RFB38, hex("13"), hex(version));
      for (Split split : Splits.of(viewer)) {
        ViewerHandshake hs = handshake(Security.VENCRYPT);
        hs.start();
        Fed fed = feed(hs, split);
        assertInstanceOf(Failed.class, fed.last(), version + " " + split.label());
        byte[] out = fed.output();
        assertEquals((byte) 0xFF, out[4], "not agreed: U8 0xFF after 01 13 00 02");
        String reason = reasonOf(out, 5);
        assertTrue(reason.contains("VeNCrypt version") && reason.contains("0.2"), reason);
      }
    }
  }

  @Test
  void aSubtypeNotOfferedIsRefusedInWords() {
    for (long subtype : new long[] {256, 257, 258, 260, 262, 0, 19, 0xFFFFFFFFL}) {
      ViewerHandshake hs = handshake(Security.VENCRYPT_OR_VNC_AUTH);
      hs.start();
      hs.onData(Buffer.buffer(RFB38));
      hs.onData(Buffer.buffer(hex("13")));
      hs.onData(Buffer.buffer(hex("0002")));
      Failed failed = assertInstanceOf(Failed.class, hs.onData(Buffer.buffer().appendUnsignedInt(subtype)));
      byte[] out = failed.output().getBytes();
      assertEquals(0, out[0], "no TLS: U8 0, as CSecurityTLS reads it");
      String reason = reasonOf(out, 1);
      assertTrue(reason.contains("subtype " + subtype) && reason.contains("X509Vnc"), reason);
      assertFalse(hs.tls());
    }
  }

  @Test
  void dataInTheClearAfterTheSubtypeIsAProtocolError() {
    // a viewer that does not wait for the go-ahead: its TLS bytes would be lost to the clear-text reader
    ViewerHandshake hs = handshake(Security.VENCRYPT);
    hs.start();
    hs.onData(Buffer.buffer(RFB38));
    hs.onData(Buffer.buffer(hex("13")));
    hs.onData(Buffer.buffer(hex("0002")));
    Failed early = assertInstanceOf(Failed.class, hs.onData(Buffer.buffer(hex("00000105160301"))));
    byte[] out = early.output().getBytes();
    assertEquals(0, out[0], "the go-ahead withdrawn");
    assertTrue(reasonOf(out, 1).contains("before the gateway's go-ahead"));

    ViewerHandshake late = handshake(Security.VENCRYPT);
    late.start();
    late.onData(Buffer.buffer(RFB38));
    late.onData(Buffer.buffer(hex("13")));
    late.onData(Buffer.buffer(hex("0002")));
    assertInstanceOf(StartTls.class, late.onData(Buffer.buffer(hex("00000105"))));
    Failed f = assertInstanceOf(Failed.class, late.onData(Buffer.buffer(hex("16"))));
    assertTrue(f.failure().message().contains("in the clear"));
    assertThrows(IllegalStateException.class, late::tlsEstablished);
  }

  @Test
  void refusalsInEveryVeNCryptPhaseAreWordsWhereTheViewerStillReads() {
    String why = "the handshake took too long";
    // waiting for the version: 0xFF then the result
    ViewerHandshake v = handshake(Security.VENCRYPT);
    v.start();
    v.onData(Buffer.buffer(RFB38));
    v.onData(Buffer.buffer(hex("13")));
    byte[] out = v.refuse(why).output().getBytes();
    assertEquals((byte) 0xFF, out[0]);
    assertEquals(why, reasonOf(out, 1));
    // waiting for the subtype: "no TLS" then the result
    ViewerHandshake s = handshake(Security.VENCRYPT);
    s.start();
    s.onData(Buffer.buffer(RFB38));
    s.onData(Buffer.buffer(hex("13")));
    s.onData(Buffer.buffer(hex("0002")));
    out = s.refuse(why).output().getBytes();
    assertEquals(0, out[0]);
    assertEquals(why, reasonOf(out, 1));
    // during TLS: nothing can be said in the clear
    ViewerHandshake t = handshake(Security.VENCRYPT);
    t.start();
    t.onData(Buffer.buffer(concat(RFB38, hex("13"), hex("0002"), hex("00000105"))));
    assertEquals(0, t.refuse(why).output().length());
    // after TLS, waiting for the VNC response: the usual result with the reason (written inside TLS)
    ViewerHandshake a = handshake(Security.VENCRYPT);
    a.start();
    a.onData(Buffer.buffer(concat(RFB38, hex("13"), hex("0002"), hex("00000105"))));
    a.tlsEstablished();
    assertEquals(why, reasonOf(a.refuse(why).output().getBytes(), 0));
    // waiting for the type choice
    ViewerHandshake c = handshake(Security.VENCRYPT_OR_VNC_AUTH);
    c.start();
    c.onData(Buffer.buffer(RFB38));
    assertEquals(why, reasonOf(c.refuse(why).output().getBytes(), 0));
  }

  /**
   * Hostile viewers: random bytes after a well-formed start, at every VeNCrypt phase, in random
   * reads. The gateway only ever reads the version (2 bytes) and the choice (4 bytes), so a huge
   * count or length cannot make it wait or allocate; it never throws, and a few more bytes always
   * end the wait.
   */
  @Test
  void hostileInputNeverThrowsAndNeverWaitsForEver() {
    Random random = new Random(19_261);
    byte[][] prefixes = {
        RFB38, concat(RFB38, hex("13")), concat(RFB38, hex("13"), hex("0002")),
        concat(RFB38, hex("13"), hex("0002"), hex("00000105"))};
    for (int round = 0; round < 4_000; round++) {
      Security security = random.nextBoolean() ? Security.VENCRYPT : Security.VENCRYPT_OR_VNC_AUTH;
      byte[] prefix = prefixes[random.nextInt(prefixes.length)];
      byte[] junk = new byte[random.nextInt(24)];
      random.nextBytes(junk);
      if (junk.length > 0 && random.nextInt(4) == 0) junk[0] = (byte) 0xFF; // huge counts, lengths, subtypes
      byte[] all = concat(prefix, junk);
      ViewerHandshake hs = handshake(security);
      hs.start();
      HandshakeStep last = null;
      int at = 0;
      while (at < all.length) {
        int n = Math.min(all.length - at, 1 + random.nextInt(5));
        last = hs.onData(Buffer.buffer(java.util.Arrays.copyOfRange(all, at, at + n)));
        at += n;
        if (last instanceof Failed) break;
        if (last instanceof StartTls && at < all.length) {
          // the TLS layer would take the rest; fed in the clear it is refused
          last = hs.onData(Buffer.buffer(java.util.Arrays.copyOfRange(all, at, all.length)));
          assertInstanceOf(Failed.class, last);
          break;
        }
        if (last instanceof AwaitAdmission) break;
      }
      if (last instanceof Continue) {
        HandshakeStep more = hs.onData(Buffer.buffer(new byte[16]));
        assertFalse(more instanceof Continue, "still waiting in " + hs.phase() + " after " + HexFormat.of().formatHex(all));
      }
      if (last instanceof Failed f) {
        assertFalse(f.failure().message().isBlank());
        assertInstanceOf(Failed.class, hs.onData(Buffer.buffer(hex("00"))), "failed stays failed");
      }
    }
  }
}
