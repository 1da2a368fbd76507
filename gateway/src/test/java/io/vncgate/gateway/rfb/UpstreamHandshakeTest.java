package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep.Continue;
import io.vncgate.gateway.rfb.HandshakeStep.Failed;
import io.vncgate.gateway.rfb.HandshakeStep.Ready;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import io.vncgate.gateway.rfb.Splits.Split;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamHandshakeTest {

  private static final byte[] PASSWORD = "secret".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] CHALLENGE = HexFormat.of().parseHex("f0e1d2c3b4a5968778695a4b3c2d1e0f");
  private static final byte[] PF = Wire.pixelFormat32();
  private static final byte[] SERVER_INIT = Wire.serverInit(1024, 768, PF, "lab1".getBytes(StandardCharsets.UTF_8));
  private static final ServerInit EXPECTED_INIT = new ServerInit(1024, 768, PF, "lab1");

  private static final byte[] RFB33 = "RFB 003.003\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RFB37 = "RFB 003.007\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RFB38 = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLIENT_INIT_SHARED = {1};

  private static byte[] response() {
    try {
      return VncAuthTest.desResponse(CHALLENGE, PASSWORD);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- harness

  private record Outcome(Split split, byte[] output, HandshakeStep last, byte[] after, UpstreamHandshake hs) {}

  private static Outcome drive(byte[] password, Split split) {
    UpstreamHandshake hs = new UpstreamHandshake(password);
    List<Buffer> parts = split.buffers();
    Buffer out = Buffer.buffer();
    HandshakeStep last = null;
    int i = 0;
    while (i < parts.size()) {
      last = hs.onData(parts.get(i++));
      out.appendBuffer(last.output());
      if (last instanceof Ready || last instanceof Failed) {
        break;
      }
      assertInstanceOf(Continue.class, last, split.label());
    }
    Buffer after = Buffer.buffer();
    if (last instanceof Ready r) {
      after.appendBuffer(r.leftover());
    }
    while (i < parts.size()) {
      after.appendBuffer(parts.get(i++));
    }
    return new Outcome(split, out.getBytes(), last, after.getBytes(), hs);
  }

  private static void assertReady(byte[] password, byte[] server, byte[] expectedOutput,
      ServerInit expectedInit, byte[] expectedLeftover) {
    for (Split split : Splits.of(server)) {
      Outcome o = drive(password, split);
      String label = split.label();
      Ready ready = assertInstanceOf(Ready.class, o.last(), label);
      assertEquals(Wire.hex(expectedOutput), Wire.hex(o.output()), label);
      assertEquals(expectedInit, ready.serverInit(), label);
      assertTrue(ready.shared(), label);
      assertEquals(Wire.hex(expectedLeftover), Wire.hex(o.after()), label);
      assertEquals("DONE", o.hs().phase(), label);
      assertThrows(IllegalStateException.class, () -> o.hs().onData(Buffer.buffer(new byte[] {0})));
    }
  }

  private static void assertFailed(byte[] password, byte[] server, byte[] expectedOutput, Cause cause,
      String message) {
    assertFailed(password, server, expectedOutput, cause, message, true);
  }

  /** {@code exactEverywhere = false}: only the whole feed shows all bytes in the message. */
  private static void assertFailed(byte[] password, byte[] server, byte[] expectedOutput, Cause cause,
      String message, boolean exactEverywhere) {
    for (Split split : Splits.of(server)) {
      Outcome o = drive(password, split);
      String label = split.label();
      Failed failed = assertInstanceOf(Failed.class, o.last(), label);
      assertEquals(Wire.hex(expectedOutput), Wire.hex(o.output()), label);
      assertEquals(cause, failed.failure().cause(), label);
      if (exactEverywhere || split.label().equals("whole")) {
        assertEquals(message, failed.failure().message(), label);
      } else {
        String m = failed.failure().message();
        assertTrue(m.startsWith("did not speak RFB: got '") && m.endsWith("'"), label + ": " + m);
      }
      HandshakeStep again = o.hs().onData(Buffer.buffer("more"));
      Failed repeated = assertInstanceOf(Failed.class, again, label);
      assertEquals(0, repeated.output().length(), label);
      assertEquals(failed.failure(), repeated.failure(), label);
    }
  }

  private static byte[] cat(byte[]... parts) {
    return Wire.concat(parts);
  }

  // ---------------------------------------------------------------- success paths

  @Test
  void v38WithNoneSendsClientInitAfterSecurityResult() {
    byte[] server = cat(RFB38, Wire.of().u8(1, 1).u32(0).bytes(), SERVER_INIT);
    assertReady(null, server, cat(RFB38, new byte[] {1}, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void v38WithVncAuthAnswersTheChallenge() {
    byte[] server = cat(RFB38, Wire.of().u8(2, 1, 2).bytes(), CHALLENGE, Wire.of().u32(0).bytes(), SERVER_INIT);
    assertReady(PASSWORD, server, cat(RFB38, new byte[] {2}, response(), CLIENT_INIT_SHARED),
        EXPECTED_INIT, new byte[0]);
  }

  @Test
  void v37WithNoneHasNoSecurityResult() {
    byte[] server = cat(RFB37, Wire.of().u8(1, 1).bytes(), SERVER_INIT);
    assertReady(null, server, cat(RFB37, new byte[] {1}, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void v37WithVncAuth() {
    byte[] server = cat(RFB37, Wire.of().u8(1, 2).bytes(), CHALLENGE, Wire.of().u32(0).bytes(), SERVER_INIT);
    assertReady(PASSWORD, server, cat(RFB37, new byte[] {2}, response(), CLIENT_INIT_SHARED),
        EXPECTED_INIT, new byte[0]);
  }

  @Test
  void v33WithNoneHasNoSecurityResult() {
    byte[] server = cat(RFB33, Wire.of().u32(1).bytes(), SERVER_INIT);
    assertReady(null, server, cat(RFB33, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void v33WithVncAuth() {
    byte[] server = cat(RFB33, Wire.of().u32(2).bytes(), CHALLENGE, Wire.of().u32(0).bytes(), SERVER_INIT);
    assertReady(PASSWORD, server, cat(RFB33, response(), CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void v33WithNoneWorksEvenWhenAPasswordIsConfigured() {
    byte[] server = cat(RFB33, Wire.of().u32(1).bytes(), SERVER_INIT);
    assertReady(PASSWORD, server, cat(RFB33, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void prefersVncAuthWhenAPasswordIsConfigured() {
    byte[] server = cat(RFB38, Wire.of().u8(2, 1, 2).bytes(), CHALLENGE, Wire.of().u32(0).bytes(), SERVER_INIT);
    assertReady(PASSWORD, server, cat(RFB38, new byte[] {2}, response(), CLIENT_INIT_SHARED),
        EXPECTED_INIT, new byte[0]);
  }

  @Test
  void choosesNoneWithoutAPasswordAndNeverTight() {
    byte[] server = cat(RFB38, Wire.of().u8(3, 16, 2, 1).u32(0).bytes(), SERVER_INIT);
    assertReady(null, server, cat(RFB38, new byte[] {1}, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void choosesNoneWhenOnlyNoneIsOfferedAlthoughAPasswordIsConfigured() {
    byte[] server = cat(RFB38, Wire.of().u8(2, 16, 1).u32(0).bytes(), SERVER_INIT);
    assertReady(PASSWORD, server, cat(RFB38, new byte[] {1}, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
  }

  @Test
  void serverInitNameIsDecodedAsUtf8AndLeftoverBytesAreReturnedIntact() {
    byte[] name = "Büro – lab1 ✓".getBytes(StandardCharsets.UTF_8);
    byte[] init = Wire.serverInit(1920, 1080, PF, name);
    byte[] leftover = Wire.of().u8(0, 0).u16(1).u16(0).u16(0).u16(1).u16(1).s32(0).u8(1, 2, 3, 4).bytes();
    byte[] server = cat(RFB38, Wire.of().u8(1, 1).u32(0).bytes(), init, leftover);
    assertReady(null, server, cat(RFB38, new byte[] {1}, CLIENT_INIT_SHARED),
        new ServerInit(1920, 1080, PF, "Büro – lab1 ✓"), leftover);
  }

  @Test
  void serverInitNameInLatin1AndWithControlCharactersIsCleaned() {
    byte[] name = Wire.of().ascii("caf\u00e9").u8(7, '\r', '\n').ascii("x\ty").bytes();
    byte[] server = cat(RFB33, Wire.of().u32(1).bytes(), Wire.serverInit(800, 600, PF, name));
    assertReady(null, server, cat(RFB33, CLIENT_INIT_SHARED), new ServerInit(800, 600, PF, "café x y"),
        new byte[0]);
  }

  @Test
  void emptyServerInitName() {
    byte[] server = cat(RFB33, Wire.of().u32(1).bytes(), Wire.serverInit(640, 480, PF, new byte[0]));
    assertReady(null, server, cat(RFB33, CLIENT_INIT_SHARED), new ServerInit(640, 480, PF, ""), new byte[0]);
  }

  // ---------------------------------------------------------------- quirk banners

  @Test
  void quirkBannersMapToTheVersionWeAnswer() {
    String[][] table = {
        {"003.889", "RFB 003.008\n"}, {"004.000", "RFB 003.008\n"}, {"004.001", "RFB 003.008\n"},
        {"005.000", "RFB 003.008\n"}, {"003.006", "RFB 003.003\n"}, {"003.004", "RFB 003.003\n"},
        {"003.014", "RFB 003.003\n"}, {"003.016", "RFB 003.003\n"}, {"003.005", "RFB 003.003\n"},
        {"003.009", "RFB 003.008\n"},
    };
    for (String[] row : table) {
      byte[] banner = ("RFB " + row[0] + "\n").getBytes(StandardCharsets.US_ASCII);
      byte[] reply = row[1].getBytes(StandardCharsets.US_ASCII);
      if (row[1].equals("RFB 003.003\n")) {
        assertReady(null, cat(banner, Wire.of().u32(1).bytes(), SERVER_INIT), cat(reply, CLIENT_INIT_SHARED),
            EXPECTED_INIT, new byte[0]);
      } else {
        assertReady(null, cat(banner, Wire.of().u8(1, 1).u32(0).bytes(), SERVER_INIT),
            cat(reply, new byte[] {1}, CLIENT_INIT_SHARED), EXPECTED_INIT, new byte[0]);
      }
    }
  }

  // ---------------------------------------------------------------- refusals and failures

  @Test
  void v38AuthFailureCarriesTheServersReason() {
    byte[] server = cat(RFB38, Wire.of().u8(1, 2).bytes(), CHALLENGE,
        Wire.of().u32(1).reason("Authentication failure").bytes());
    assertFailed(PASSWORD, server, cat(RFB38, new byte[] {2}, response()), Cause.AUTH_FAILED,
        "Authentication failure");
  }

  @Test
  void v37AuthFailureHasNoReason() {
    byte[] server = cat(RFB37, Wire.of().u8(1, 2).bytes(), CHALLENGE, Wire.of().u32(1).bytes());
    assertFailed(PASSWORD, server, cat(RFB37, new byte[] {2}, response()), Cause.AUTH_FAILED,
        "the server rejected the VNC password");
  }

  @Test
  void v33AuthFailureHasNoReason() {
    byte[] server = cat(RFB33, Wire.of().u32(2).bytes(), CHALLENGE, Wire.of().u32(1).bytes());
    assertFailed(PASSWORD, server, cat(RFB33, response()), Cause.AUTH_FAILED,
        "the server rejected the VNC password");
  }

  @Test
  void v33SecurityResultTwoIsTooManyAttempts() {
    byte[] server = cat(RFB33, Wire.of().u32(2).bytes(), CHALLENGE, Wire.of().u32(2).bytes());
    assertFailed(PASSWORD, server, cat(RFB33, response()), Cause.TOO_MANY_ATTEMPTS,
        "the server reports too many failed authentication attempts");
  }

  @Test
  void v38SecurityResultTwoIsTooManyAttemptsWithTheReason() {
    byte[] server = cat(RFB38, Wire.of().u8(1, 2).bytes(), CHALLENGE,
        Wire.of().u32(2).reason("Blacklisted").bytes());
    assertFailed(PASSWORD, server, cat(RFB38, new byte[] {2}, response()), Cause.TOO_MANY_ATTEMPTS,
        "Blacklisted");
  }

  @Test
  void v38NoneRejectedAfterwardsIsARefusalWithTheReason() {
    byte[] server = cat(RFB38, Wire.of().u8(1, 1).u32(1).reason("Connection rejected by user").bytes());
    assertFailed(null, server, cat(RFB38, new byte[] {1}), Cause.SERVER_REFUSED, "Connection rejected by user");
  }

  @Test
  void v38FailureWithAnEmptyReasonGetsOurWords() {
    byte[] server = cat(RFB38, Wire.of().u8(1, 2).bytes(), CHALLENGE, Wire.of().u32(1).u32(0).bytes());
    assertFailed(PASSWORD, server, cat(RFB38, new byte[] {2}, response()), Cause.AUTH_FAILED,
        "the server rejected the VNC password");
  }

  @Test
  void v33SecurityTypeZeroCarriesTheServersReason() {
    byte[] server = cat(RFB33, Wire.of().u32(0).reason("Connection refused by policy").bytes());
    assertFailed(null, server, RFB33, Cause.SERVER_REFUSED, "Connection refused by policy");
  }

  @Test
  void emptySecurityTypeListCarriesTheServersReason() {
    byte[] server = cat(RFB38, Wire.of().u8(0).reason("No security types configured").bytes());
    assertFailed(null, server, RFB38, Cause.SERVER_REFUSED, "No security types configured");
  }

  @Test
  void tigerVncBlacklistRightAfterTheBannerIsTheAddressBlockedWithTheReasonVerbatim() {
    byte[] server = cat(RFB33, Wire.of().u32(0).reason("Too many security failures").bytes());
    assertFailed(PASSWORD, server, RFB33, Cause.ADDRESS_BLOCKED, "Too many security failures");
  }

  @Test
  void overlongReasonIsAProtocolError() {
    byte[] server = cat(RFB38, Wire.of().u8(0).u32(1025).bytes());
    assertFailed(null, server, RFB38, Cause.PROTOCOL_ERROR,
        "the server sent a failure reason of 1025 bytes, more than the limit of 1024");
  }

  @Test
  void reasonAtTheLimitIsAccepted() {
    String reason = "r".repeat(1024);
    byte[] server = cat(RFB38, Wire.of().u8(0).reason(reason).bytes());
    assertFailed(null, server, RFB38, Cause.SERVER_REFUSED, reason);
  }

  @Test
  void reasonInvalidUtf8FallsBackToLatin1AndLosesControlCharacters() {
    byte[] reason = Wire.of().ascii("Zugriff verweigert: \u00e4").u8(0x1b).ascii("[31m\r\nbye").bytes();
    byte[] server = cat(RFB38, Wire.of().u8(0).u32(reason.length).raw(reason).bytes());
    assertFailed(null, server, RFB38, Cause.SERVER_REFUSED, "Zugriff verweigert: \u00e4[31m bye");
  }

  @Test
  void reasonInUtf8LosesBidiOverridesAndSurroundingBlanks() {
    byte[] reason = Wire.of().utf8("  \u202eZugriff \u00fcber \u2192 nein\u202c\n").bytes();
    byte[] server = cat(RFB38, Wire.of().u8(0).u32(reason.length).raw(reason).bytes());
    assertFailed(null, server, RFB38, Cause.SERVER_REFUSED, "Zugriff \u00fcber \u2192 nein");
  }

  @Test
  void repeaterIsRefusedWithAClearReason() {
    assertFailed(null, "RFB 000.000\n".getBytes(StandardCharsets.US_ASCII), new byte[0], Cause.REPEATER,
        "this is an UltraVNC repeater (RFB 000.000), not a VNC server");
  }

  @Test
  void versionsBelow33AreUnsupported() {
    assertFailed(null, "RFB 003.002\n".getBytes(StandardCharsets.US_ASCII), new byte[0],
        Cause.UNSUPPORTED_VERSION, "the server speaks RFB 003.002, older than the oldest supported 3.3");
    assertFailed(null, "RFB 002.009\n".getBytes(StandardCharsets.US_ASCII), new byte[0],
        Cause.UNSUPPORTED_VERSION, "the server speaks RFB 002.009, older than the oldest supported 3.3");
  }

  @Test
  void sshBannerIsNotRfb() {
    byte[] ssh = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".getBytes(StandardCharsets.US_ASCII);
    assertFailed(null, ssh, new byte[0], Cause.NOT_RFB,
        "did not speak RFB: got 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3'", false);
  }

  @Test
  void shortNonRfbGreetingFailsWithoutWaitingForTwelveBytes() {
    byte[] ssh = "SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII);
    assertTrue(ssh.length < 12);
    assertFailed(null, ssh, new byte[0], Cause.NOT_RFB, "did not speak RFB: got 'SSH-2.0-x'", false);
    Failed first = assertInstanceOf(Failed.class, new UpstreamHandshake(null).onData(Buffer.buffer("S")));
    assertEquals("did not speak RFB: got 'S'", first.failure().message());
  }

  @Test
  void httpResponseIsNotRfb() {
    byte[] http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertFailed(null, http, new byte[0], Cause.NOT_RFB, "did not speak RFB: got 'HTTP/1.1 400 Bad Request'",
        false);
  }

  @Test
  void tlsHandshakeBytesAreNotRfbAndShownAsHex() {
    byte[] tls = Wire.of().hex("16030100a5010000a10303").ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk").bytes();
    assertFailed(null, tls, new byte[0], Cause.NOT_RFB,
        "did not speak RFB: got '\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00\\xa1\\x03\\x03"
            + "ABCDEFGHIJKLMNOPQRSTUVWXYZabc...'", false);
  }

  @Test
  void malformedBannerIsNotRfbAsSoonAsItDeviates() {
    byte[] bad = "RFB 3.8\n".getBytes(StandardCharsets.US_ASCII);
    assertFailed(null, bad, new byte[0], Cause.NOT_RFB, "did not speak RFB: got 'RFB 3.8'", false);
    Failed f = assertInstanceOf(Failed.class, new UpstreamHandshake(null).onData(Buffer.buffer("RFB 003.008\r")));
    assertEquals(Cause.NOT_RFB, f.failure().cause());
  }

  @Test
  void vencryptOnlyOfferNamesTheTypes() {
    byte[] server = cat(RFB38, Wire.of().u8(2, 19, 16).bytes());
    assertFailed(PASSWORD, server, RFB38, Cause.NO_COMMON_SECURITY,
        "no supported security type: server offered 19 (VeNCrypt), 16 (Tight); "
            + "vncgate supports 1 (None), 2 (VNC Authentication)");
  }

  @Test
  void unknownTypesAreNamedUnknown() {
    byte[] server = cat(RFB37, Wire.of().u8(3, 5, 30, 200).bytes());
    assertFailed(null, server, RFB37, Cause.NO_COMMON_SECURITY,
        "no supported security type: server offered 5 (RSA-AES), 30 (Apple ARD Diffie-Hellman), "
            + "200 (unknown); vncgate supports 1 (None), 2 (VNC Authentication)");
  }

  @Test
  void v33UnusableTypeIsNoCommonSecurity() {
    byte[] server = cat(RFB33, Wire.of().u32(16).bytes());
    assertFailed(null, server, RFB33, Cause.NO_COMMON_SECURITY,
        "no supported security type: server offered 16 (Tight); vncgate supports 1 (None), 2 (VNC Authentication)");
  }

  @Test
  void vncAuthWithoutAPasswordIsPasswordRequired() {
    String message = "the server requires a VNC password but none is configured for this target";
    assertFailed(null, cat(RFB38, Wire.of().u8(2, 19, 2).bytes()), RFB38, Cause.PASSWORD_REQUIRED, message);
    assertFailed(null, cat(RFB33, Wire.of().u32(2).bytes()), RFB33, Cause.PASSWORD_REQUIRED, message);
  }

  @Test
  void overlongDesktopNameIsAProtocolError() {
    byte[] server = cat(RFB33, Wire.of().u32(1).u16(800).u16(600).raw(PF).u32(65537).bytes());
    assertFailed(null, server, cat(RFB33, CLIENT_INIT_SHARED), Cause.PROTOCOL_ERROR,
        "the server sent a desktop name of 65537 bytes, more than the limit of 65536");
  }

  // ---------------------------------------------------------------- incremental behaviour

  @Test
  void partialInputWaitsAndWritesOnlyWhatEachStepProduces() {
    UpstreamHandshake hs = new UpstreamHandshake(PASSWORD);
    assertEquals("PROTOCOL_VERSION", hs.phase());
    HandshakeStep s = hs.onData(Buffer.buffer("RFB 003.0"));
    assertEquals(0, assertInstanceOf(Continue.class, s).output().length());
    s = hs.onData(Buffer.buffer("08\n"));
    assertArrayEquals(RFB38, s.output().getBytes());
    assertEquals(RfbVersion.V3_8, hs.version());
    assertEquals("SECURITY", hs.phase());
    s = hs.onData(Buffer.buffer(new byte[] {1}));
    assertEquals(0, s.output().length());
    s = hs.onData(Buffer.buffer(new byte[] {2}));
    assertArrayEquals(new byte[] {2}, s.output().getBytes());
    assertEquals("VNC_AUTH", hs.phase());
    s = hs.onData(Buffer.buffer(CHALLENGE));
    assertArrayEquals(response(), s.output().getBytes());
    assertEquals("SECURITY_RESULT", hs.phase());
    s = hs.onData(Buffer.buffer(Wire.of().u32(0).bytes()));
    assertArrayEquals(CLIENT_INIT_SHARED, s.output().getBytes());
    assertEquals("SERVER_INIT", hs.phase());
    s = hs.onData(Buffer.buffer(SERVER_INIT));
    Ready ready = assertInstanceOf(Ready.class, s);
    assertEquals(0, ready.output().length());
    assertEquals(0, ready.leftover().length());
    assertEquals(EXPECTED_INIT, ready.serverInit());
  }

  @Test
  void emptyFeedsChangeNothing() {
    UpstreamHandshake hs = new UpstreamHandshake(null);
    assertEquals(0, assertInstanceOf(Continue.class, hs.onData(Buffer.buffer())).output().length());
    hs.onData(Buffer.buffer(RFB38));
    assertEquals(0, assertInstanceOf(Continue.class, hs.onData(Buffer.buffer())).output().length());
  }

  @Test
  void inputBuffersAreNeverModified() {
    byte[] server = cat(RFB38, Wire.of().u8(1, 1).u32(0).bytes(), SERVER_INIT, new byte[] {9, 9});
    for (Split split : Splits.of(server)) {
      List<Buffer> parts = split.buffers();
      List<byte[]> before = parts.stream().map(Buffer::getBytes).toList();
      UpstreamHandshake hs = new UpstreamHandshake(null);
      for (Buffer part : parts) {
        if (hs.phase().equals("DONE")) {
          break;
        }
        hs.onData(part);
      }
      for (int i = 0; i < parts.size(); i++) {
        if (!java.util.Arrays.equals(before.get(i), parts.get(i).getBytes())) {
          fail(split.label() + ": input buffer " + i + " was modified");
        }
      }
    }
  }
}
