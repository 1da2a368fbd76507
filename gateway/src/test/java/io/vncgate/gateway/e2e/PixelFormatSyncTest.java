package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.PixelFormat;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A viewer that changes its pixel format mid-session without a fence of its own, against a real
 * Xvnc 1.12 that supports fences: the gateway sends its own synchronising fence before the
 * SetPixelFormat (so it knows where the target switches), Xvnc takes it, its answer never reaches
 * the viewer, and the updates before and after are framed in their own formats.
 */
@Timeout(60)
class PixelFormatSyncTest {
  private static final int FENCE = -312;
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(64, 40).start();
    gw = new GatewayHarness(dir, GatewayHarness.target("desk", xvnc.port(), null), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @Test
  void aMidSessionPixelFormatIsSynchronisedByTheGatewaysOwnFence() throws Exception {
    JsonObject s = gw.session(gw.token("vera", "**", Role.VIEW), "static/desk", "view");
    try (WebSocketTcpBridge bridge = gw.bridge(s.getString("ticket"));
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      viewer.readTimeout(Duration.ofSeconds(20));
      viewer.handshakeNone();
      viewer.sendSetPixelFormat(PixelFormat.RGB888_LE);
      viewer.sendSetEncodings(0, FENCE);
      viewer.sendFramebufferUpdateRequest(false, 0, 0, 64, 40);
      Reader reader = new Reader(viewer);
      assertEquals(64 * 40 * 4, reader.untilUpdate(4), "a full update at 32 bpp");
      assertTrue(reader.serverFenceRequests > 0, "Xvnc announced fences (it sends a request when -312 is listed)");

      // 16 bpp, no fence of the viewer's own, then a request
      viewer.sendSetPixelFormat(new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0));
      viewer.sendFramebufferUpdateRequest(false, 0, 0, 64, 40);
      assertEquals(64 * 40 * 2, reader.untilUpdate(2), "the next update at 16 bpp, framed as such by the gateway");
      assertEquals(List.of(), reader.fenceAnswers, "the gateway's own fence answer never reaches the viewer");
      assertFalse(viewer.isClosedByPeer(Duration.ofMillis(300)));
    }
  }

  /** Reads server messages as a viewer does, answering fence requests, counting fence answers. */
  private static final class Reader {
    final RfbTestClient c;
    int serverFenceRequests;
    final List<Integer> fenceAnswers = new ArrayList<>();

    Reader(RfbTestClient c) {
      this.c = c;
    }

    /** Pixel bytes of the next FramebufferUpdate of Raw rectangles at {@code bytesPerPixel}. */
    int untilUpdate(int bytesPerPixel) throws IOException {
      while (true) {
        int type = c.readU8();
        switch (type) {
          case 0 -> {
            c.readExactly(1);
            byte[] n = c.readExactly(2);
            int rects = (n[0] & 0xFF) << 8 | n[1] & 0xFF;
            int pixels = 0;
            for (int i = 0; i < rects; i++) {
              byte[] h = c.readExactly(12);
              int w = (h[4] & 0xFF) << 8 | h[5] & 0xFF;
              int ht = (h[6] & 0xFF) << 8 | h[7] & 0xFF;
              int encoding = (h[8] & 0xFF) << 24 | (h[9] & 0xFF) << 16 | (h[10] & 0xFF) << 8 | h[11] & 0xFF;
              if (encoding != 0) throw new AssertionError("unexpected encoding " + encoding);
              c.readExactly(w * ht * bytesPerPixel);
              pixels += w * ht * bytesPerPixel;
            }
            return pixels;
          }
          case 2 -> { }
          case 3 -> {
            c.readExactly(3);
            c.readExactly(Math.abs(c.readU32()));
          }
          case 248 -> {
            c.readExactly(3);
            int flags = c.readU32();
            int len = c.readU8();
            byte[] payload = c.readExactly(len);
            if ((flags & 0x80000000) != 0) {
              serverFenceRequests++;
              ByteArrayOutputStream b = new ByteArrayOutputStream();
              DataOutputStream o = new DataOutputStream(b);
              o.writeByte(248);
              o.write(new byte[3]);
              o.writeInt(flags & 0x7);
              o.writeByte(len);
              o.write(payload);
              c.send(b.toByteArray());
            } else {
              fenceAnswers.add(flags);
            }
          }
          default -> throw new AssertionError("unexpected server message " + type);
        }
      }
    }
  }
}
