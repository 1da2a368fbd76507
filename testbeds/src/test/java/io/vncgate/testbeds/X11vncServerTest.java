package io.vncgate.testbeds;

import static io.vncgate.testbeds.Await.assertNoXFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class X11vncServerTest {

  @Test
  void serverWithoutPasswordShowsTheRootColourInARawUpdate() throws Exception {
    try (X11vncServer x11vnc = X11vncServer.builder().geometry(320, 240).start();
         RfbTestClient client = RfbTestClient.connect(x11vnc.host(), x11vnc.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(List.of(1), client.offeredSecurityTypes());
      assertEquals(320, init.width());
      assertEquals(240, init.height());

      x11vnc.setRootColor("#ff8800");
      Await.awaitColour(client, 10, 10, 0xff8800);
      x11vnc.setRootColor("#1e90ff");
      Await.awaitColour(client, 300, 200, 0x1e90ff);
    }
  }

  @Test
  void serverWithPasswordAcceptsItAndRefusesAWrongOne() throws Exception {
    try (X11vncServer x11vnc = X11vncServer.builder().geometry(200, 100).password("secret12").start()) {
      assertEquals("secret12", Files.readString(x11vnc.passwordFile()));
      try (RfbTestClient client = RfbTestClient.connect(x11vnc.host(), x11vnc.port())) {
        assertEquals(100, client.handshakeVncAuth("secret12").height());
        assertTrue(client.offeredSecurityTypes().contains(2));
        x11vnc.setRootColor("#00ff00");
        Await.awaitColour(client, 150, 50, 0x00ff00);
      }
      try (RfbTestClient client = RfbTestClient.connect(x11vnc.host(), x11vnc.port())) {
        assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("wrong!!!"));
      }
    }
  }

  @Test
  void closeStopsXvfbAndX11vnc() throws Exception {
    X11vncServer x11vnc = X11vncServer.builder().geometry(64, 64).password("pw123456").start();
    var passwordFile = x11vnc.passwordFile();
    x11vnc.close();
    assertNoXFiles(x11vnc.display());
    assertFalse(Files.exists(passwordFile), "temp files removed");
    assertThrows(java.net.ConnectException.class,
        () -> RfbTestClient.connect(x11vnc.host(), x11vnc.port()).close());
  }
}
