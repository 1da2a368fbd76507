package io.vncgate.testbeds.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbRefused;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.TestbedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
