package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RfbVersionTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static RfbVersion server(String banner) throws RfbException {
    return RfbVersion.fromServerBanner(b(banner));
  }

  private static RfbVersion viewer(String banner) throws RfbException {
    return RfbVersion.fromViewerBanner(b(banner));
  }

  private static RfbFailure serverFailure(String banner) {
    return assertThrows(RfbException.class, () -> server(banner)).failure();
  }

  @Test
  void serverBannersFollowTheQuirkTable() throws RfbException {
    assertEquals(RfbVersion.V3_3, server("RFB 003.003\n"));
    assertEquals(RfbVersion.V3_7, server("RFB 003.007\n"));
    assertEquals(RfbVersion.V3_8, server("RFB 003.008\n"));
    for (String ultra : new String[] {"003.004", "003.005", "003.006", "003.014", "003.016"}) {
      assertEquals(RfbVersion.V3_3, server("RFB " + ultra + "\n"), ultra);
    }
    for (String newer : new String[] {"003.889", "003.009", "004.000", "004.001", "005.000", "006.002"}) {
      assertEquals(RfbVersion.V3_8, server("RFB " + newer + "\n"), newer);
    }
  }

  @Test
  void serverBannerFailures() {
    assertEquals(Cause.REPEATER, serverFailure("RFB 000.000\n").cause());
    assertEquals(Cause.UNSUPPORTED_VERSION, serverFailure("RFB 003.002\n").cause());
    assertEquals(Cause.UNSUPPORTED_VERSION, serverFailure("RFB 001.009\n").cause());
    assertEquals(new RfbFailure(Cause.NOT_RFB, "did not speak RFB: got 'SSH-2.0-Open'"),
        serverFailure("SSH-2.0-Open"));
    assertEquals(new RfbFailure(Cause.NOT_RFB, "did not speak RFB: got 'RFB 003.008'"),
        serverFailure("RFB 003.008"));
    assertEquals(new RfbFailure(Cause.NOT_RFB, "did not speak RFB: got 'RFB 003.08'"),
        serverFailure("RFB 003.08\n\n"));
    assertEquals(new RfbFailure(Cause.NOT_RFB, "did not speak RFB: got '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03\\xff'"),
        serverFailure("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\u00ff"));
  }

  @Test
  void viewerBanners() throws RfbException {
    assertEquals(RfbVersion.V3_8, viewer("RFB 003.008\n"));
    assertEquals(RfbVersion.V3_8, viewer("RFB 003.889\n"));
    assertEquals(RfbVersion.V3_8, viewer("RFB 004.001\n"));
    assertEquals(RfbVersion.V3_7, viewer("RFB 003.007\n"));
    assertEquals(RfbVersion.V3_3, viewer("RFB 003.003\n"));
    assertEquals(RfbVersion.V3_3, viewer("RFB 003.006\n"));
    RfbFailure f = assertThrows(RfbException.class, () -> viewer("GET / HTTP/1")).failure();
    assertEquals(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, "viewer did not speak RFB: got 'GET / HTTP/1'"), f);
    assertEquals(Cause.VIEWER_PROTOCOL_ERROR,
        assertThrows(RfbException.class, () -> viewer("RFB 002.000\n")).failure().cause());
  }

  @Test
  void bannersAreTwelveBytes() {
    assertArrayEquals(b("RFB 003.003\n"), RfbVersion.V3_3.banner().getBytes());
    assertArrayEquals(b("RFB 003.007\n"), RfbVersion.V3_7.banner().getBytes());
    assertArrayEquals(b("RFB 003.008\n"), RfbVersion.V3_8.banner().getBytes());
  }

  @Test
  void exceptionsAreStacklessAndCarryTheMessage() {
    RfbException e = new RfbException(Cause.AUTH_FAILED, "no");
    assertEquals(0, e.getStackTrace().length);
    assertEquals("no", e.getMessage());
  }
}
