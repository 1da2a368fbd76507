package io.vncgate.testbeds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RfbTestClientTest {

  @ParameterizedTest
  @CsvSource({
      "RFB 003.003, 3", "RFB 003.006, 3", "RFB 003.007, 7", "RFB 003.008, 8",
      "RFB 003.889, 8", "RFB 004.001, 8", "RFB 005.000, 8"})
  void bannerVersionMapsToTheVersionTheClientAnswers(String banner, int minor) throws Exception {
    assertEquals(minor, RfbTestClient.chooseMinor(banner + "\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RFB 000.000\n", "RFB 003.002\n", "HTTP/1.1 400", "RFB 003.008\r", "RFB 3.8    \n"})
  void nonRfbOrTooOldBannersAreRejected(String banner) {
    assertThrows(RfbProtocolException.class, () -> RfbTestClient.chooseMinor(banner));
  }

  @Test
  void clientRunsOverPlainStreamsToo() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().desktop(30, 20, "streams").start();
         Socket socket = new Socket(server.host(), server.port())) {
      RfbTestClient client = RfbTestClient.over(socket.getInputStream(), socket.getOutputStream());
      assertEquals(new ServerInitInfo(30, 20, "streams", PixelFormat.RGB888_LE), client.handshakeNone());
      assertEquals(0x336699, client.readFramebufferUpdateRaw().rgb(29, 19));
      assertThrows(IllegalStateException.class,
          () -> client.isClosedByPeer(java.time.Duration.ofMillis(10)), "needs a socket");
      client.close();
    }
  }

  @Test
  void pixelFormatsEncodeAndDecodeTheWireBytes() {
    assertArrayEquals(new byte[] {0x56, 0x34, 0x12, 0}, PixelFormat.RGB888_LE.encode(0x123456));
    assertEquals(0x123456, PixelFormat.RGB888_LE.decode(new byte[] {9, 0x56, 0x34, 0x12, 0}, 1));
    PixelFormat bgr233 = new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6);
    assertArrayEquals(new byte[] {(byte) 0b11_000_111}, bgr233.encode(0xff00ff));
    assertEquals(0xff00ff, bgr233.decode(new byte[] {(byte) 0b11_000_111}, 0));
  }
}
