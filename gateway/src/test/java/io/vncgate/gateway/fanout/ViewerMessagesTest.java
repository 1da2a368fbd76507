package io.vncgate.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.MessagePolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session splits what a viewer's framer passed into the very messages the viewer sent. */
class ViewerMessagesTest {

  @Test
  void whatTheFramerPassesSplitsIntoTheViewersMessages() throws Exception {
    List<byte[]> sent = List.of(
        hex("00000000" + "20180001" + "00ff00ff00ff100800" + "000000"), // SetPixelFormat
        hex("02000003" + "00000010" + "00000000" + "ffffff11"), // SetEncodings ZRLE, Raw, Cursor
        hex("030000000000028001e0"), // FramebufferUpdateRequest (10 bytes)
        hex("0401000000000061"), // KeyEvent
        hex("050000100020"), // PointerEvent (6)
        hex("0600000000000003414243"), // ClientCutText "ABC"
        hex("fb000280" + "01e00100" + "00000000" + "00000000" + "028001e0" + "00000000"), // SetDesktopSize, 1 screen
        hex("ff000001" + "00000061" + "0000001e")); // QEMU extended key event
    Buffer all = Buffer.buffer();
    for (byte[] m : sent) all.appendBytes(m);
    ClientMessageFramer framer = new ClientMessageFramer(MessagePolicy.CONTROLLER, 1024, true, null);
    Buffer passed = framer.feed(all);
    List<String> split = new ArrayList<>();
    for (int at = 0; at < passed.length(); ) {
      int n = ViewerMessages.length(passed, at);
      split.add(toHex(passed.getBytes(at, at + n)));
      at += n;
    }
    List<String> expected = new ArrayList<>();
    for (byte[] m : sent) expected.add(toHex(m));
    assertEquals(expected, split);
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return b;
  }

  private static String toHex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) sb.append(String.format("%02x", x));
    return sb.toString();
  }
}
