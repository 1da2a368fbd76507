package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.rfb.Encodings.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.qemu.QemuVncServer;
import io.vncgate.testbeds.qemu.SeaBiosScreen;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upstream decoder against QEMU's own VNC server (the one in Proxmox and KubeVirt VMs), whose
 * ZRLE encoder is another implementation than TigerVNC's: SeaBIOS's text screen read in ZRLE and
 * in Raw decodes to the same pixels, and QEMU acknowledges extended key events.
 */
@Timeout(120)
class UpstreamDecoderQemuTest {

  @Test
  void qemuZrleAndRawDecodeToTheSameScreen() throws Exception {
    try (QemuVncServer qemu = QemuVncServer.start()) {
      qemu.setPassword("fanout1");
      int[] pseudo = {EXTENDED_DESKTOP_SIZE, DESKTOP_SIZE, CURSOR, QEMU_EXTENDED_KEY_EVENT};
      try (DecodingClient zrle = DecodingClient.connect(qemu.port(), "fanout1", 3L, concat(ZRLE, pseudo));
          DecodingClient raw = DecodingClient.connect(qemu.port(), "fanout1", null, concat(RAW, pseudo))) {
        assertEquals(SeaBiosScreen.WIDTH, zrle.framebuffer.width());
        int[] expected = null;
        // SeaBIOS may still be writing: read both until they agree on a screen with text
        for (int round = 0; round < 20; round++) {
          zrle.update(false);
          raw.update(false);
          expected = raw.pixels();
          long lit = Arrays.stream(expected).filter(p -> p != 0).count();
          if (lit > 500 && Arrays.equals(expected, zrle.pixels())) break;
          Thread.sleep(200);
        }
        assertTrue(DecodingClient.colours(expected) >= 2, "SeaBIOS's text is on the screen");
        assertArrayEquals(expected, zrle.pixels(), "QEMU's ZRLE decodes to its Raw's pixels");
        assertTrue(zrle.decoder.decoded(ZRLE) > 0, "ZRLE rectangles came");
        assertEquals(0, zrle.decoder.decoded(RAW));
        assertTrue(zrle.qemuKeys, "QEMU acknowledged extended key events");
      }
    }
  }

  private static int[] concat(int first, int[] rest) {
    int[] all = new int[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
