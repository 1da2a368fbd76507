package io.vncgate.testbeds;

import static io.vncgate.testbeds.Await.assertNoXFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class XvncServerTest {

  @Test
  void serverWithoutPasswordShowsTheRootColourInARawUpdate() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(320, 240).start();
         RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(List.of(1), client.offeredSecurityTypes());
      assertEquals(320, init.width());
      assertEquals(240, init.height());
      assertEquals("vncgate-test", init.name());
      assertTrue(xvnc.password().isEmpty());

      xvnc.setRootColor("#ff8800");
      Await.awaitColour(client, 10, 10, 0xff8800);
      xvnc.setRootColor("#1e90ff");
      Await.awaitColour(client, 300, 200, 0x1e90ff);
    }
  }

  @Test
  void serverWithPasswordAcceptsItAndRefusesAWrongOneWithTheServersReason() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(200, 100).password("secret12").start()) {
      assertEquals("secret12", Files.readString(xvnc.passwordFile()));
      assertEquals("secret12", xvnc.password().orElseThrow());
      try (RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
        assertEquals(200, client.handshakeVncAuth("secret12").width());
        assertEquals(List.of(2), client.offeredSecurityTypes());
        xvnc.setRootColor("#00ff00");
        Await.awaitColour(client, 5, 5, 0x00ff00);
      }
      try (RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("wrong!!!"));
        assertTrue(refused.reasonFromServer());
        assertEquals("Authentication failure", refused.reason());
      }
      try (RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
        assertThrows(RfbProtocolException.class, client::handshakeNone, "None is not offered");
      }
    }
  }

  @Test
  void repeatedFailuresGetTheBlacklistAnswerOnA33Banner() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(64, 64).password("secret12").start()) {
      String lastReason = null;
      int attempts = 0;
      while (attempts < 8 && !"Too many security failures".equals(lastReason)) {
        attempts++;
        try (RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
          lastReason = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("bad")).reason();
          if ("Too many security failures".equals(lastReason)) {
            assertEquals(3, client.protocolMinor(), "blacklist answer uses a 3.3 banner");
          }
        }
      }
      assertEquals("Too many security failures", lastReason);
      assertEquals(6, attempts, "TigerVNC's BlacklistThreshold is 5 failures");
    }
  }

  @Test
  void blacklistCanBeTurnedOff() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(64, 64).password("secret12")
        .blacklist(false).start()) {
      for (int i = 0; i < 7; i++) {
        try (RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
          assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("bad"));
        }
      }
      try (RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
        assertEquals(64, client.handshakeVncAuth("secret12").width());
      }
    }
  }

  @Test
  void clipboardAndPrimaryRoundTripThroughXclip() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(64, 64).start()) {
      assertEquals("", xvnc.clipboard());
      xvnc.setClipboard("héllo vncgate ✓");
      assertEquals("héllo vncgate ✓", xvnc.clipboard());
      xvnc.setClipboard("second");
      assertEquals("second", xvnc.clipboard());
      xvnc.setPrimary("primary text");
      assertEquals("primary text", xvnc.primary());
      assertEquals("second", xvnc.clipboard());
    }
  }

  @Test
  void cutTextTravelsBetweenAViewerAndTheXClipboard() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(64, 64).start();
         RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
      client.handshakeNone();
      client.sendClientCutText("from the viewer");
      Await.await(() -> xvnc.clipboard().equals("from the viewer"), "X clipboard gets cut text");

      xvnc.setClipboard("from the desktop");
      assertEquals("from the desktop", client.readServerCutText());
    }
  }

  @Test
  void pointerEventsMoveTheXPointerAndXdotoolReportsIt() throws Exception {
    try (XvncServer xvnc = XvncServer.builder().geometry(320, 240).start();
         RfbTestClient client = RfbTestClient.connect(xvnc.host(), xvnc.port())) {
      client.handshakeNone();
      client.sendPointerEvent(0, 123, 45);
      Await.await(() -> xvnc.xdotool("getmouselocation").startsWith("x:123 y:45 "),
          "pointer at 123,45");
      xvnc.xdotool("mousemove", "7", "8");
      assertTrue(xvnc.xdotool("getmouselocation").startsWith("x:7 y:8 "));
    }
  }

  @Test
  void twoServersGetTheirOwnDisplaysAndCloseLeavesNothingBehind() throws Exception {
    XvncServer first = XvncServer.builder().geometry(64, 64).password("secret12").start();
    XvncServer second = XvncServer.builder().geometry(64, 64).start();
    assertNotEquals(first.display(), second.display());
    assertNotEquals(first.port(), second.port());
    assertEquals(":" + first.display(), first.displayName());
    Path passwordFile = first.passwordFile();
    Process helper = first.runOnDisplay("xdotool", "sleep", "60");
    first.setClipboard("owned by xclip");
    assertTrue(helper.isAlive());

    first.close();
    second.close();
    first.close();

    assertFalse(Files.exists(passwordFile), "temp files removed");
    assertFalse(helper.isAlive(), "helpers killed");
    assertNoXFiles(first.display());
    assertNoXFiles(second.display());
    try (RfbTestClient client = RfbTestClient.connect(first.host(), first.port())) {
      fail("port " + first.port() + " still accepts connections");
    } catch (ConnectException expected) {
      // nothing listens any more
    }
  }

  @Test
  void missingProgramFailsWithThePackageToInstall() {
    TestbedException e = assertThrows(TestbedException.class,
        () -> io.vncgate.testbeds.impl.Tools.require("Xvnc-not-installed"));
    assertEquals("Xvnc-not-installed not found: install Xvnc-not-installed (see .ci/install-deps)",
        e.getMessage());
  }
}
