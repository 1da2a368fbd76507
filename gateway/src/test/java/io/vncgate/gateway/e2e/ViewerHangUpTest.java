package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.testbeds.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A browser that goes away mid-handshake without a WebSocket close frame (a closed tab, a lost
 * network) is the viewer leaving, not a failure of the target: logged at info as "the viewer
 * disconnected". Found by the soak check (testbeds/soak/run): before, each such hang-up was an
 * ERROR line "viewer connection error: Connection was closed", counted as the target's fault.
 */
@Timeout(60)
class ViewerHangUpTest {
  @TempDir Path dir;
  private GatewayHarness gw;
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ViewerConnection.class);

  @BeforeEach
  void start() throws Exception {
    int nobody = FreePorts.next();
    gw = new GatewayHarness(dir, GatewayHarness.target("desk", nobody, null), null);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void stop() throws Exception {
    logger.detachAppender(lines);
    if (gw != null) gw.close();
  }

  @Test
  void aBrowserClosingItsSocketOnTheBannerIsLoggedAsTheViewerLeavingNotAsAnError() throws Exception {
    String ticket = gw.ticket("static/desk");
    try (Socket s = new Socket("127.0.0.1", gw.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET /ws/v1/connect HTTP/1.1\r\nHost: 127.0.0.1:" + gw.httpPort() + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
          + "Sec-WebSocket-Version: 13\r\nOrigin: " + gw.origin() + "\r\n"
          + "Sec-WebSocket-Protocol: binary, vncgate.ticket." + ticket + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      byte[] frame = in.readNBytes(2 + 12); // one unmasked binary frame: the banner
      assertEquals("RFB 003.008\n", new String(frame, 2, 12, StandardCharsets.US_ASCII));
    } // closed without a close frame

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (ended().isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
    List<ILoggingEvent> ended = ended();
    assertEquals(1, ended.size(), lines.list.toString());
    assertEquals(Level.INFO, ended.get(0).getLevel(), ended.get(0).getFormattedMessage());
    assertTrue(ended.get(0).getFormattedMessage().endsWith("ended before relaying (viewer-left): the viewer disconnected"), ended.get(0).getFormattedMessage());
  }

  /** The line that says how the connection ended. */
  private List<ILoggingEvent> ended() {
    synchronized (lines) {
      return List.copyOf(lines.list).stream()
          .filter(e -> e.getFormattedMessage().contains(" ended before relaying ("))
          .toList();
    }
  }

  private static String readHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) break;
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
