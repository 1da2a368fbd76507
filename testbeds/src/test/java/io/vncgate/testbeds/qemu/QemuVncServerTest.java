package io.vncgate.testbeds.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.PixelFormat;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.TestbedException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QemuVncServerTest {

  private static QemuVncServer qemu;

  @BeforeAll
  static void startQemu() {
    qemu = QemuVncServer.start();
  }

  @AfterAll
  static void stopQemu() {
    if (qemu != null) {
      qemu.close();
    }
  }

  @Test
  void passwordSetThroughQmpLogsInAndTheScreenShowsSeaBiosText() throws Exception {
    qemu.setPassword("qmp-pass");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      ServerInitInfo init = client.handshakeVncAuth("qmp-pass");
      assertEquals(List.of(2), client.offeredSecurityTypes(), "QEMU with password=on offers VNC auth only");
      Framebuffer fb = SeaBiosScreen.awaitText(client, Duration.ofSeconds(30));
      assertEquals(SeaBiosScreen.WIDTH, init.width());
      assertEquals(SeaBiosScreen.HEIGHT, init.height());
      assertEquals(SeaBiosScreen.WIDTH, qemu.screenSize()[0]);
      assertTrue(SeaBiosScreen.litPixels(fb) >= SeaBiosScreen.MIN_LIT);
      assertEquals(1, qemu.vncClients(), "query-vnc lists the connected client");
    }
  }

  @Test
  void wrongPasswordIsRefusedWithQemusReason() throws Exception {
    qemu.setPassword("right-pw");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("wrong-pw"));
      assertTrue(refused.reasonFromServer(), "RFB 3.8 carries QEMU's reason");
      assertEquals("Authentication failed\0", refused.reason(), "QEMU sends the C string with its NUL");
    }
  }

  @Test
  void onlyTheFirstEightBytesOfThePasswordCountAsInVncAuth() throws Exception {
    qemu.setPassword("12345678-ignored");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeVncAuth("12345678").width());
    }
  }

  @Test
  void anExpiredPasswordNoLongerLogsIn() throws Exception {
    qemu.setPassword("expiring");
    qemu.expirePassword("now");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("expiring"));
    }
  }

  @Test
  void setPasswordAloneKeepsAnEarlierExpirySoTheLauncherAlsoResetsIt() throws Exception {
    qemu.setPassword("first-pw");
    qemu.expirePassword("now");
    qemu.qmp().execute("set_password", new JsonObject().put("protocol", "vnc").put("password", "second-p"));
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("second-p"), "still expired");
    }
    qemu.setPassword("third-pw");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      assertEquals(SeaBiosScreen.WIDTH, client.handshakeVncAuth("third-pw").width());
    }
  }

  @Test
  void resumingAPausedVmResizesTheDesktopForAClientThatAnnouncedDesktopSize() throws Exception {
    try (QemuVncServer own = QemuVncServer.builder().paused(true).start();
         RfbTestClient client = RfbTestClient.connect(own.host(), own.port())) {
      own.setPassword("resize-1");
      ServerInitInfo init = client.handshakeVncAuth("resize-1");
      assertEquals("640x480", init.width() + "x" + init.height(), "QEMU's screen before the guest set a mode");
      client.sendSetPixelFormat(PixelFormat.RGB888_LE);
      client.sendSetEncodings(0, -223);
      client.sendFramebufferUpdateRequest(false, 0, 0, init.width(), init.height());
      own.cont();
      List<String> sizes = new ArrayList<>();
      int width = init.width();
      int height = init.height();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline && !sizes.contains("720x400")) {
        assertEquals(0, client.readU8(), "FramebufferUpdate");
        client.readExactly(1);
        byte[] count = client.readExactly(2);
        int rects = ((count[0] & 0xff) << 8) | (count[1] & 0xff);
        for (int i = 0; i < rects; i++) {
          ByteBuffer header = ByteBuffer.wrap(client.readExactly(12));
          header.getShort();
          header.getShort();
          int w = header.getShort() & 0xffff;
          int h = header.getShort() & 0xffff;
          int encoding = header.getInt();
          if (encoding == -223) {
            width = w;
            height = h;
            sizes.add(w + "x" + h);
          } else {
            assertEquals(0, encoding, "Raw");
            client.readExactly(w * h * 4);
          }
        }
        client.sendFramebufferUpdateRequest(true, 0, 0, width, height);
      }
      assertTrue(sizes.contains("720x400"), "DesktopSize to SeaBIOS's text mode: " + sizes);
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)), "still connected after the resize");
    }
  }

  @Test
  void withAudioQemuAcknowledgesTheAudioPseudoEncodingAndTakesTheAudioClientMessages() throws Exception {
    try (QemuVncServer own = QemuVncServer.builder().audio(true).start();
         RfbTestClient client = RfbTestClient.connect(own.host(), own.port())) {
      own.setPassword("audio-pw");
      client.handshakeVncAuth("audio-pw");
      client.sendSetEncodings(0, -259);
      // QEMU acknowledges the pseudo-encoding with a FramebufferUpdate of one empty -259 rectangle
      assertEquals(0, client.readU8(), "FramebufferUpdate");
      client.readExactly(1);
      assertArrayEquals(new byte[] {0, 1}, client.readExactly(2), "one rectangle");
      ByteBuffer ack = ByteBuffer.wrap(client.readExactly(12));
      assertEquals(-259, ack.getInt(8), "the audio pseudo-encoding");
      // QEMU client message 255, audio submessage 1: set format (op 2: s16, 2 channels, 44100 Hz), enable (op 0).
      // Audio begin/data (server message 255/1) follow only while the guest plays sound: this one has no sound card.
      client.send(new byte[] {(byte) 255, 1, 0, 2, 3, 2, 0, 0, (byte) 0xAC, 0x44});
      client.send(new byte[] {(byte) 255, 1, 0, 0});
      client.sendFramebufferUpdateRequest(false, 0, 0, 8, 8);
      assertEquals(0, client.readU8(), "still connected: a FramebufferUpdate follows");
    }
  }

  @Test
  void qemuAcknowledgesExtendedKeyEventsWithAnEmptyPseudoRectangle() throws Exception {
    qemu.setPassword("extkey-1");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      client.handshakeVncAuth("extkey-1");
      client.sendSetEncodings(0, -258);
      assertEquals(0, client.readU8(), "FramebufferUpdate");
      client.readExactly(1);
      assertArrayEquals(new byte[] {0, 1}, client.readExactly(2), "one rectangle");
      assertEquals(-258, ByteBuffer.wrap(client.readExactly(12)).getInt(8), "QEMU extended key event");
      // QEMU client message 255, submessage 0: extended key event (down, keysym 'a', XT scancode 0x1e)
      client.send(new byte[] {(byte) 255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e});
      client.send(new byte[] {(byte) 255, 0, 0, 0, 0, 0, 0, 0x61, 0, 0, 0, 0x1e});
      client.sendFramebufferUpdateRequest(false, 0, 0, 8, 8);
      assertEquals(0, client.readU8(), "still connected after extended key events");
    }
  }

  @Test
  void keysOfAVncClientAndOfQmpLandInSeaBiosKeyboardBufferInOrder() throws Exception {
    List<Integer> before = qemu.biosKeyboardBuffer();
    qemu.setPassword("keys-1");
    try (RfbTestClient client = RfbTestClient.connect(qemu.host(), qemu.port())) {
      client.handshakeVncAuth("keys-1");
      client.sendKeyEvent(true, 'k'); // a plain KeyEvent: QEMU maps the keysym with its en-us keymap
      client.sendKeyEvent(false, 'k');
      client.sendFramebufferUpdateRequest(false, 0, 0, 8, 8);
      assertEquals(0, client.readU8(), "FramebufferUpdate: QEMU has handled the key events");
    }
    qemu.sendKey("esc");
    List<Integer> expected = new ArrayList<>(before);
    expected.addAll(List.of(0x256b, 0x011b)); // k: scancode 0x25, ASCII 0x6b; Escape: 0x01, 0x1b
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<Integer> after = qemu.biosKeyboardBuffer();
    while (!after.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      after = qemu.biosKeyboardBuffer();
    }
    assertEquals(expected, after, "the guest's BIOS keyboard buffer");
  }

  @Test
  void qmpErrorsCarryQemusClassAndDescription() {
    TestbedException e = assertThrows(TestbedException.class,
        () -> qemu.qmp().execute("no-such-command", null));
    assertTrue(e.getMessage().contains("CommandNotFound"), e.getMessage());
  }

  @Test
  void closeStopsQemuAndRemovesTheQmpSocket() {
    QemuVncServer other = QemuVncServer.start();
    Path socket = other.qmpSocket();
    assertTrue(Files.exists(socket));
    assertFalse(other.port() == qemu.port());
    other.close();
    assertFalse(other.isAlive());
    assertFalse(Files.exists(socket));
  }
}
