package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep.AwaitAdmission;
import io.vncgate.gateway.rfb.HandshakeStep.Continue;
import io.vncgate.gateway.rfb.HandshakeStep.Failed;
import io.vncgate.gateway.rfb.HandshakeStep.Ready;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import io.vncgate.gateway.rfb.Splits.Split;
import io.vncgate.gateway.rfb.ViewerHandshake.Security;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ViewerHandshakeTest {

  private static final byte[] RFB33 = "RFB 003.003\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RFB37 = "RFB 003.007\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RFB38 = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESPONSE = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
  private static final byte[] PF = Wire.pixelFormat32();
  private static final ServerInit INIT = new ServerInit(1280, 720, PF, "static/lab1 – Lab desktop");
  private static final byte[] INIT_BYTES =
      Wire.serverInit(1280, 720, PF, "static/lab1 – Lab desktop".getBytes(StandardCharsets.UTF_8));
  private static final String REASON = "target static/lab1 unreachable: connection refused";

  // ---------------------------------------------------------------- harness

  private record Outcome(byte[] output, HandshakeStep last, byte[] after, AwaitAdmission admission,
      ViewerHandshake hs) {}

  /** Feeds the viewer's bytes; admits with {@code admitWith} at AwaitAdmission, or stops there if null. */
  private static Outcome drive(Security security, Split split, ServerInit admitWith) {
    ViewerHandshake hs = new ViewerHandshake(security);
    Buffer out = Buffer.buffer().appendBuffer(hs.start());
    List<Buffer> parts = split.buffers();
    HandshakeStep last = null;
    AwaitAdmission admission = null;
    int i = 0;
    while (i < parts.size()) {
      last = hs.onData(parts.get(i++));
      out.appendBuffer(last.output());
      if (last instanceof AwaitAdmission a) {
        assertNull(admission, split.label() + ": AwaitAdmission returned twice");
        admission = a;
        if (admitWith == null) {
          break;
        }
        last = hs.admit(admitWith);
        assertTrue(!(last instanceof AwaitAdmission), split.label());
        out.appendBuffer(last.output());
      }
      if (last instanceof Ready || last instanceof Failed) {
        break;
      }
    }
    Buffer after = Buffer.buffer();
    if (last instanceof Ready r) {
      after.appendBuffer(r.leftover());
    }
    while (i < parts.size()) {
      after.appendBuffer(parts.get(i++));
    }
    return new Outcome(out.getBytes(), last, after.getBytes(), admission, hs);
  }

  private static void assertReady(Security security, byte[] viewer, Function<byte[], byte[]> expectedOutput,
      boolean shared, byte[] leftover) {
    for (Split split : Splits.of(viewer)) {
      Outcome o = drive(security, split, INIT);
      String label = split.label();
      Ready ready = assertInstanceOf(Ready.class, o.last(), label);
      assertNotNull(o.admission(), label);
      byte[] challenge = o.admission().challenge();
      if (security == Security.NONE) {
        assertNull(challenge, label);
        assertNull(o.admission().response(), label);
      } else {
        assertEquals(16, challenge.length, label);
        assertArrayEquals(RESPONSE, o.admission().response(), label);
      }
      assertEquals(Wire.hex(expectedOutput.apply(challenge)), Wire.hex(o.output()), label);
      assertSame(INIT, ready.serverInit(), label);
      assertEquals(shared, ready.shared(), label);
      assertEquals(Wire.hex(leftover), Wire.hex(o.after()), label);
      assertThrows(IllegalStateException.class, () -> o.hs().onData(Buffer.buffer(new byte[] {3})), label);
      assertThrows(IllegalStateException.class, () -> o.hs().refuse("late"), label);
    }
  }

  private static void assertFailed(Security security, byte[] viewer, Function<byte[], byte[]> expectedOutput,
      Cause cause, String message) {
    for (Split split : Splits.of(viewer)) {
      Outcome o = drive(security, split, INIT);
      String label = split.label();
      Failed failed = assertInstanceOf(Failed.class, o.last(), label);
      byte[] challenge = o.admission() == null ? null : o.admission().challenge();
      assertEquals(Wire.hex(expectedOutput.apply(challenge)), Wire.hex(o.output()), label);
      assertEquals(cause, failed.failure().cause(), label);
      assertEquals(message, failed.failure().message(), label);
      Failed again = assertInstanceOf(Failed.class, o.hs().onData(Buffer.buffer("x")), label);
      assertEquals(0, again.output().length(), label);
    }
  }

  /**
   * Feeds {@code viewer} (stopping at AwaitAdmission, or admitting when {@code admit}), then
   * refuses; the refusal's own output must be {@code expected}, whatever the split.
   */
  private static void assertRefusal(Security security, byte[] viewer, boolean admit, String phase,
      byte[] expected) {
    for (Split split : Splits.of(viewer)) {
      Outcome o = drive(security, split, admit ? INIT : null);
      assertEquals(phase, o.hs().phase(), split.label());
      Failed failed = assertInstanceOf(Failed.class, o.hs().refuse(REASON), split.label());
      assertEquals(Wire.hex(expected), Wire.hex(failed.output().getBytes()), split.label());
      assertEquals(new RfbFailure(Cause.SERVER_REFUSED, REASON), failed.failure());
      Failed again = assertInstanceOf(Failed.class, o.hs().refuse("again"), split.label());
      assertEquals(0, again.output().length());
      assertEquals(REASON, again.failure().message());
      assertEquals(0, o.hs().onData(Buffer.buffer("x")).output().length());
    }
  }

  private static byte[] cat(byte[]... parts) {
    return Wire.concat(parts);
  }

  private static byte[] reason(String r) {
    return Wire.of().reason(r).bytes();
  }

  // ---------------------------------------------------------------- NONE

  @Test
  void none38OffersNoneOnlyAfterAdmissionThenSendsSecurityResultAndServerInit() {
    byte[] viewer = cat(RFB38, new byte[] {1, 1});
    assertReady(Security.NONE, viewer,
        c -> cat(RFB38, new byte[] {1, 1}, Wire.of().u32(0).bytes(), INIT_BYTES), true, new byte[0]);
  }

  @Test
  void none37HasNoSecurityResult() {
    byte[] viewer = cat(RFB37, new byte[] {1, 0});
    assertReady(Security.NONE, viewer, c -> cat(RFB38, new byte[] {1, 1}, INIT_BYTES), false, new byte[0]);
  }

  @Test
  void none33SendsTheTypeAsU32AndReadsNoChoice() {
    byte[] viewer = cat(RFB33, new byte[] {1});
    assertReady(Security.NONE, viewer, c -> cat(RFB38, Wire.of().u32(1).bytes(), INIT_BYTES), true, new byte[0]);
  }

  @Test
  void clientInitSharedFlagIsAnyNonZeroByte() {
    assertReady(Security.NONE, cat(RFB38, new byte[] {1, 0}),
        c -> cat(RFB38, new byte[] {1, 1}, Wire.of().u32(0).bytes(), INIT_BYTES), false, new byte[0]);
    assertReady(Security.NONE, cat(RFB38, new byte[] {1, (byte) 0x80}),
        c -> cat(RFB38, new byte[] {1, 1}, Wire.of().u32(0).bytes(), INIT_BYTES), true, new byte[0]);
  }

  @Test
  void bytesAfterClientInitAreLeftoverUntouched() {
    byte[] setPixelFormat = Wire.of().u8(0, 0, 0, 0).raw(PF).bytes();
    byte[] viewer = cat(RFB38, new byte[] {1, 1}, setPixelFormat);
    assertReady(Security.NONE, viewer,
        c -> cat(RFB38, new byte[] {1, 1}, Wire.of().u32(0).bytes(), INIT_BYTES), true, setPixelFormat);
  }

  @Test
  void admitSendsTheServerInitAsGivenForExampleRenamed() {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    assertInstanceOf(AwaitAdmission.class, hs.onData(Buffer.buffer(cat(RFB33, new byte[] {0}))));
    ServerInit renamed = INIT.withName("Büro");
    Ready ready = assertInstanceOf(Ready.class, hs.admit(renamed));
    assertArrayEquals(cat(Wire.of().u32(1).bytes(), Wire.serverInit(1280, 720, PF,
        "Büro".getBytes(StandardCharsets.UTF_8))), ready.output().getBytes());
    assertEquals(renamed, ready.serverInit());
  }

  @Test
  void noneStepByStep() {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    assertArrayEquals(RFB38, hs.start().getBytes());
    assertEquals("PROTOCOL_VERSION", hs.phase());
    assertEquals(0, assertInstanceOf(Continue.class, hs.onData(Buffer.buffer("RFB 003"))).output().length());
    AwaitAdmission a = assertInstanceOf(AwaitAdmission.class, hs.onData(Buffer.buffer(".008\n")));
    assertEquals(0, a.output().length());
    assertEquals(RfbVersion.V3_8, hs.version());
    assertEquals("ADMISSION", hs.phase());
    assertEquals(0, assertInstanceOf(Continue.class, hs.onData(Buffer.buffer())).output().length());
    HandshakeStep admitted = hs.admit(INIT);
    assertArrayEquals(new byte[] {1, 1}, assertInstanceOf(Continue.class, admitted).output().getBytes());
    assertEquals("SECURITY", hs.phase());
    assertArrayEquals(Wire.of().u32(0).bytes(), hs.onData(Buffer.buffer(new byte[] {1})).output().getBytes());
    assertEquals("CLIENT_INIT", hs.phase());
    Ready ready = assertInstanceOf(Ready.class, hs.onData(Buffer.buffer(new byte[] {1})));
    assertArrayEquals(INIT_BYTES, ready.output().getBytes());
    assertEquals("DONE", hs.phase());
  }

  @Test
  void admitIsOnlyValidAfterAwaitAdmission() {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    assertThrows(IllegalStateException.class, () -> hs.admit(INIT));
    hs.onData(Buffer.buffer(RFB38));
    hs.admit(INIT);
    assertThrows(IllegalStateException.class, () -> hs.admit(INIT));
    ViewerHandshake auth = new ViewerHandshake(Security.VNC_AUTH);
    auth.onData(Buffer.buffer(cat(RFB38, new byte[] {2})));
    assertThrows(IllegalStateException.class, () -> auth.admit(INIT));
  }

  // ---------------------------------------------------------------- VNC_AUTH

  @Test
  void vncAuth38OffersTwoThenChallengesAndAwaitsAdmissionWithTheResponse() {
    byte[] viewer = cat(RFB38, new byte[] {2}, RESPONSE, new byte[] {1});
    assertReady(Security.VNC_AUTH, viewer,
        c -> cat(RFB38, new byte[] {1, 2}, c, Wire.of().u32(0).bytes(), INIT_BYTES), true, new byte[0]);
  }

  @Test
  void vncAuth37() {
    byte[] viewer = cat(RFB37, new byte[] {2}, RESPONSE, new byte[] {0});
    assertReady(Security.VNC_AUTH, viewer,
        c -> cat(RFB38, new byte[] {1, 2}, c, Wire.of().u32(0).bytes(), INIT_BYTES), false, new byte[0]);
  }

  @Test
  void vncAuth33SendsTypeAndChallengeTogether() {
    byte[] viewer = cat(RFB33, RESPONSE, new byte[] {1}, new byte[] {3, 0});
    assertReady(Security.VNC_AUTH, viewer,
        c -> cat(RFB38, Wire.of().u32(2).bytes(), c, Wire.of().u32(0).bytes(), INIT_BYTES), true,
        new byte[] {3, 0});
  }

  @Test
  void vncAuthOutputUpToAwaitAdmissionCarriesTheReportedChallenge() {
    ViewerHandshake hs = new ViewerHandshake(Security.VNC_AUTH);
    HandshakeStep s = hs.onData(Buffer.buffer(RFB38));
    assertArrayEquals(new byte[] {1, 2}, s.output().getBytes());
    s = hs.onData(Buffer.buffer(new byte[] {2}));
    byte[] challenge = s.output().getBytes();
    assertEquals(16, challenge.length);
    AwaitAdmission a = assertInstanceOf(AwaitAdmission.class, hs.onData(Buffer.buffer(RESPONSE)));
    assertEquals(0, a.output().length());
    assertArrayEquals(challenge, a.challenge());
    assertArrayEquals(RESPONSE, a.response());
    assertTrue(VncAuth.matches(a.challenge(), VncAuth.response(challenge, "t1ck3t".getBytes()), "t1ck3t".getBytes()));
    assertArrayEquals(Wire.of().u32(0).bytes(), assertInstanceOf(Continue.class, hs.admit(INIT)).output().getBytes());
  }

  @Test
  void challengesDifferPerConnection() {
    byte[] a = new ViewerHandshake(Security.VNC_AUTH).onData(Buffer.buffer(RFB33)).output().getBytes();
    byte[] b = new ViewerHandshake(Security.VNC_AUTH).onData(Buffer.buffer(RFB33)).output().getBytes();
    assertTrue(!Arrays.equals(a, b));
  }

  @Test
  void theChallengeComesFromTheSupplierOnBothVersionsAndIsReportedAtAdmission() {
    byte[] shared = HexFormat.of().parseHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    ViewerHandshake v38 = new ViewerHandshake(Security.VNC_AUTH, shared::clone);
    v38.onData(Buffer.buffer(RFB38));
    assertArrayEquals(shared, v38.onData(Buffer.buffer(new byte[] {2})).output().getBytes());
    assertArrayEquals(shared, assertInstanceOf(AwaitAdmission.class, v38.onData(Buffer.buffer(RESPONSE))).challenge());
    ViewerHandshake v33 = new ViewerHandshake(Security.VNC_AUTH, shared::clone);
    assertArrayEquals(cat(Wire.of().u32(2).bytes(), shared), v33.onData(Buffer.buffer(RFB33)).output().getBytes());
  }

  @Test
  void aSupplierThatGivesNoSixteenByteChallengeIsAProgrammingError() {
    ViewerHandshake hs = new ViewerHandshake(Security.VNC_AUTH, () -> new byte[8]);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> hs.onData(Buffer.buffer(RFB33)));
    assertEquals("a VNC-auth challenge must be 16 bytes, got 8", e.getMessage());
  }

  // ---------------------------------------------------------------- viewer mistakes

  @Test
  void wrongTypeChosenInNoneMode38GetsAFailedSecurityResultWithReason() {
    String why = "viewer chose security type 2 (VNC Authentication) but only 1 (None) was offered";
    assertFailed(Security.NONE, cat(RFB38, new byte[] {2, 1}),
        c -> cat(RFB38, new byte[] {1, 1}, Wire.of().u32(1).bytes(), reason(why)), Cause.VIEWER_PROTOCOL_ERROR, why);
  }

  @Test
  void wrongTypeChosenInNoneMode37GetsAFailedSecurityResult() {
    String why = "viewer chose security type 16 (Tight) but only 1 (None) was offered";
    assertFailed(Security.NONE, cat(RFB37, new byte[] {16}),
        c -> cat(RFB38, new byte[] {1, 1}, Wire.of().u32(1).bytes()), Cause.VIEWER_PROTOCOL_ERROR, why);
  }

  @Test
  void wrongTypeChosenInVncAuthMode() {
    String why = "viewer chose security type 1 (None) but only 2 (VNC Authentication) was offered";
    assertFailed(Security.VNC_AUTH, cat(RFB38, new byte[] {1}, RESPONSE),
        c -> cat(RFB38, new byte[] {1, 2}, Wire.of().u32(1).bytes(), reason(why)), Cause.VIEWER_PROTOCOL_ERROR,
        why);
  }

  @Test
  void viewerThatDoesNotSpeakRfbFails() {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    Failed f = assertInstanceOf(Failed.class, hs.onData(Buffer.buffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    assertEquals(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, "viewer did not speak RFB: got 'GET / HTTP/1.1'"),
        f.failure());
    assertEquals(0, f.output().length());
    for (Split split : Splits.of("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))) {
      Outcome o = drive(Security.VNC_AUTH, split, INIT);
      Failed failed = assertInstanceOf(Failed.class, o.last(), split.label());
      assertEquals(Cause.VIEWER_PROTOCOL_ERROR, failed.failure().cause());
      assertTrue(failed.failure().message().startsWith("viewer did not speak RFB: got 'G"), split.label());
      assertArrayEquals(RFB38, o.output(), split.label());
    }
  }

  @Test
  void viewerVersionsMap() throws RfbException {
    assertEquals(RfbVersion.V3_8, versionFor("RFB 003.889\n"));
    assertEquals(RfbVersion.V3_8, versionFor("RFB 004.000\n"));
    assertEquals(RfbVersion.V3_3, versionFor("RFB 003.005\n"));
    assertEquals(RfbVersion.V3_3, versionFor("RFB 003.006\n"));
    Failed old = assertInstanceOf(Failed.class,
        new ViewerHandshake(Security.NONE).onData(Buffer.buffer("RFB 002.000\n")));
    assertEquals(Cause.VIEWER_PROTOCOL_ERROR, old.failure().cause());
  }

  private static RfbVersion versionFor(String banner) {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    assertInstanceOf(AwaitAdmission.class, hs.onData(Buffer.buffer(banner)));
    return hs.version();
  }

  // ---------------------------------------------------------------- refuse in every state

  @Test
  void refuseBeforeTheViewerVersionWritesNothing() {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    Failed f = assertInstanceOf(Failed.class, hs.refuse(REASON));
    assertEquals(0, f.output().length());
    assertRefusal(Security.NONE, "RFB 003".getBytes(StandardCharsets.US_ASCII), false, "PROTOCOL_VERSION",
        new byte[0]);
  }

  @Test
  void refuseInNoneModeBeforeAdmissionSendsAnEmptyTypeListWithTheReason() {
    assertRefusal(Security.NONE, RFB38, false, "ADMISSION", cat(new byte[] {0}, reason(REASON)));
    assertRefusal(Security.NONE, RFB37, false, "ADMISSION", cat(new byte[] {0}, reason(REASON)));
    assertRefusal(Security.NONE, RFB33, false, "ADMISSION", cat(Wire.of().u32(0).bytes(), reason(REASON)));
  }

  @Test
  void refuseInNoneModeBeforeAdmissionKeepsBytesTheViewerSentMeanwhileOutOfTheOutput() {
    assertRefusal(Security.NONE, cat(RFB38, new byte[] {1}), false, "ADMISSION",
        cat(new byte[] {0}, reason(REASON)));
  }

  @Test
  void refuseInNoneModeAfterAdmissionWhileAwaitingTheChoice() {
    assertRefusal(Security.NONE, RFB38, true, "SECURITY", cat(Wire.of().u32(1).bytes(), reason(REASON)));
    assertRefusal(Security.NONE, RFB37, true, "SECURITY", new byte[0]);
  }

  @Test
  void refuseWhileAwaitingClientInitWritesNothing() {
    assertRefusal(Security.NONE, RFB33, true, "CLIENT_INIT", new byte[0]);
    assertRefusal(Security.NONE, cat(RFB38, new byte[] {1}), true, "CLIENT_INIT", new byte[0]);
    assertRefusal(Security.VNC_AUTH, cat(RFB38, new byte[] {2}, RESPONSE), true, "CLIENT_INIT", new byte[0]);
  }

  @Test
  void refuseInVncAuthModeWhileAwaitingTheChoiceSendsAChallengeThenTheFailedResult() {
    for (byte[] banner : List.of(RFB38, RFB37)) {
      ViewerHandshake hs = new ViewerHandshake(Security.VNC_AUTH);
      hs.onData(Buffer.buffer(banner));
      assertEquals("SECURITY", hs.phase());
      byte[] out = hs.refuse(REASON).output().getBytes();
      byte[] tail = banner == RFB38 ? cat(Wire.of().u32(1).bytes(), reason(REASON)) : Wire.of().u32(1).bytes();
      assertEquals(16 + tail.length, out.length);
      assertArrayEquals(tail, Arrays.copyOfRange(out, 16, out.length));
    }
  }

  @Test
  void refuseInVncAuthModeAfterTheChallenge() {
    assertRefusal(Security.VNC_AUTH, cat(RFB38, new byte[] {2}), false, "VNC_AUTH",
        cat(Wire.of().u32(1).bytes(), reason(REASON)));
    assertRefusal(Security.VNC_AUTH, cat(RFB37, new byte[] {2}, Arrays.copyOf(RESPONSE, 5)), false, "VNC_AUTH",
        Wire.of().u32(1).bytes());
    assertRefusal(Security.VNC_AUTH, RFB33, false, "VNC_AUTH", Wire.of().u32(1).bytes());
  }

  @Test
  void refuseInVncAuthModeAtAdmission() {
    assertRefusal(Security.VNC_AUTH, cat(RFB38, new byte[] {2}, RESPONSE), false, "ADMISSION",
        cat(Wire.of().u32(1).bytes(), reason(REASON)));
    assertRefusal(Security.VNC_AUTH, cat(RFB37, new byte[] {2}, RESPONSE), false, "ADMISSION",
        Wire.of().u32(1).bytes());
    assertRefusal(Security.VNC_AUTH, cat(RFB33, RESPONSE), false, "ADMISSION", Wire.of().u32(1).bytes());
  }

  @Test
  void refuseWithAFailureKeepsItsCause() {
    ViewerHandshake hs = new ViewerHandshake(Security.VNC_AUTH);
    hs.onData(Buffer.buffer(cat(RFB38, new byte[] {2}, RESPONSE)));
    RfbFailure denied = new RfbFailure(Cause.VIEWER_AUTH_FAILED, "authentication failed");
    Failed f = assertInstanceOf(Failed.class, hs.refuse(denied));
    assertSame(denied, f.failure());
    assertArrayEquals(cat(Wire.of().u32(1).bytes(), reason("authentication failed")), f.output().getBytes());
  }

  @Test
  void overlongRefusalReasonIsCutAtACharacterBoundary() {
    ViewerHandshake hs = new ViewerHandshake(Security.NONE);
    hs.onData(Buffer.buffer(RFB38));
    String longReason = "x" + "é".repeat(600);
    byte[] out = hs.refuse(longReason).output().getBytes();
    int length = Buffer.buffer(out).getInt(1);
    assertEquals(1023, length);
    assertEquals(1 + 4 + length, out.length);
    assertEquals("x" + "é".repeat(511), new String(out, 5, length, StandardCharsets.UTF_8));
  }
}
