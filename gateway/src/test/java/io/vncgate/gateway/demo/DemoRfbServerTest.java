package io.vncgate.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo desktop's RFB server, spoken to over a raw socket as a VNC viewer would. */
@Timeout(30)
class DemoRfbServerTest {
  Vertx vertx;
  DemoRfbServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = new DemoRfbServer(new BitmapFont(), Clock.systemUTC());
    vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A viewer at the point after ServerInit. */
  static final class Viewer implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    int width;
    int height;
    byte[] serverFormat = new byte[16];
    String name;

    Viewer(int port, String version) throws Exception {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      in = new DataInputStream(socket.getInputStream());
      out = new DataOutputStream(socket.getOutputStream());
      byte[] banner = new byte[12];
      in.readFully(banner);
      assertEquals("RFB 003.008\n", new String(banner, StandardCharsets.US_ASCII));
      out.write(version.getBytes(StandardCharsets.US_ASCII));
      if (version.equals("RFB 003.003\n")) {
        assertEquals(1, in.readInt(), "3.3: the server names security None");
      } else {
        assertEquals(1, in.readUnsignedByte());
        assertEquals(1, in.readUnsignedByte(), "the one security type is None");
        out.write(1);
        if (version.equals("RFB 003.008\n")) assertEquals(0, in.readInt(), "SecurityResult OK");
      }
      out.write(1); // ClientInit, shared
      width = in.readUnsignedShort();
      height = in.readUnsignedShort();
      in.readFully(serverFormat);
      byte[] n = new byte[in.readInt()];
      in.readFully(n);
      name = new String(n, StandardCharsets.UTF_8);
    }

    void setPixelFormat(int bpp, boolean bigEndian, int rs, int gs, int bs) throws Exception {
      out.write(new byte[] {0, 0, 0, 0, (byte) bpp, 24, (byte) (bigEndian ? 1 : 0), 1, 0, (byte) 255, 0, (byte) 255, 0,
          (byte) 255, (byte) rs, (byte) gs, (byte) bs, 0, 0, 0});
    }

    void request(boolean incremental) throws Exception {
      out.write(new byte[] {3, (byte) (incremental ? 1 : 0), 0, 0, 0, 0, (byte) (DemoDesktop.WIDTH >> 8), (byte) DemoDesktop.WIDTH,
          (byte) (DemoDesktop.HEIGHT >> 8), (byte) DemoDesktop.HEIGHT});
    }

    /** Reads server messages until a FramebufferUpdate, paints its Raw rects into fb (bpp 4); returns the rect count. */
    int readUpdate(byte[][] fb) throws Exception {
      while (true) {
        int type = in.readUnsignedByte();
        if (type == 3) {
          in.readFully(new byte[3]);
          in.readFully(new byte[in.readInt()]);
          continue;
        }
        assertEquals(0, type, "FramebufferUpdate");
        in.readUnsignedByte();
        int rects = in.readUnsignedShort();
        for (int i = 0; i < rects; i++) {
          int x = in.readUnsignedShort();
          int y = in.readUnsignedShort();
          int w = in.readUnsignedShort();
          int h = in.readUnsignedShort();
          int enc = in.readInt();
          assertEquals(0, enc, "Raw");
          for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
              byte[] px = new byte[4];
              in.readFully(px);
              fb[(y + row) * DemoDesktop.WIDTH + x + col] = px;
            }
          }
        }
        return rects;
      }
    }

    String readServerCutText() throws Exception {
      while (true) {
        int type = in.readUnsignedByte();
        if (type == 0) {
          throw new AssertionError("expected ServerCutText; the test must not ask for updates here");
        }
        assertEquals(3, type);
        in.readFully(new byte[3]);
        byte[] text = new byte[in.readInt()];
        in.readFully(text);
        return new String(text, StandardCharsets.ISO_8859_1);
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  @Test
  void handshakeForEveryVersionEndsInServerInit() throws Exception {
    for (String v : new String[] {"RFB 003.008\n", "RFB 003.007\n", "RFB 003.003\n"}) {
      try (Viewer viewer = new Viewer(server.port(), v)) {
        assertEquals(DemoDesktop.WIDTH, viewer.width);
        assertEquals(DemoDesktop.HEIGHT, viewer.height);
        assertEquals(DemoRfbServer.NAME, viewer.name);
        assertEquals(32, viewer.serverFormat[0]);
        assertEquals(1, viewer.serverFormat[3], "true colour");
      }
    }
  }

  @Test
  void fullUpdateHonoursNoVncsLittleEndianFormatAndBigEndianToo() throws Exception {
    int bg = 0x1b2230; // the desktop's background, at (4, 60)
    try (Viewer viewer = new Viewer(server.port(), "RFB 003.008\n")) {
      viewer.setPixelFormat(32, false, 0, 8, 16); // what noVNC asks for
      viewer.request(false);
      byte[][] fb = new byte[DemoDesktop.WIDTH * DemoDesktop.HEIGHT][];
      viewer.readUpdate(fb);
      for (byte[] px : fb) assertTrue(px != null, "a full update covers every pixel");
      assertArrayEquals(new byte[] {0x1b, 0x22, 0x30, 0}, fb[60 * DemoDesktop.WIDTH + 4]);

      viewer.setPixelFormat(32, true, 16, 8, 0);
      viewer.request(false);
      viewer.readUpdate(fb);
      assertArrayEquals(new byte[] {0, 0x1b, 0x22, 0x30}, fb[60 * DemoDesktop.WIDTH + 4]);
      assertEquals(bg, ((fb[60 * DemoDesktop.WIDTH + 4][1] & 0xff) << 16) | ((fb[60 * DemoDesktop.WIDTH + 4][2] & 0xff) << 8)
          | (fb[60 * DemoDesktop.WIDTH + 4][3] & 0xff));
    }
  }

  @Test
  void typingProducesAnIncrementalUpdateOfAFewTiles() throws Exception {
    try (Viewer viewer = new Viewer(server.port(), "RFB 003.008\n")) {
      viewer.setPixelFormat(32, false, 0, 8, 16);
      viewer.request(false);
      byte[][] fb = new byte[DemoDesktop.WIDTH * DemoDesktop.HEIGHT][];
      viewer.readUpdate(fb);
      viewer.out.write(new byte[] {4, 1, 0, 0, 0, 0, 0, 'x'}); // KeyEvent down 'x'
      viewer.request(true);
      int rects = viewer.readUpdate(fb);
      assertTrue(rects > 0 && rects < 40, "an incremental update of a few rectangles: " + rects);
    }
  }

  @Test
  void pasteIsShownAndTheCopyButtonSendsServerCutText() throws Exception {
    try (Viewer viewer = new Viewer(server.port(), "RFB 003.008\n")) {
      byte[] text = "pasted from a viewer".getBytes(StandardCharsets.ISO_8859_1);
      viewer.out.write(new byte[] {6, 0, 0, 0});
      viewer.out.writeInt(text.length);
      viewer.out.write(text);
      int x = DemoPainter.COPY_BUTTON.x + 10;
      int y = DemoPainter.COPY_BUTTON.y + 10;
      viewer.out.write(new byte[] {5, 1, (byte) (x >> 8), (byte) x, (byte) (y >> 8), (byte) y}); // press
      viewer.out.write(new byte[] {5, 0, (byte) (x >> 8), (byte) x, (byte) (y >> 8), (byte) y}); // release
      String clip = viewer.readServerCutText();
      assertTrue(clip.matches("It is \\d\\d:\\d\\d:\\d\\d on the vncgate demo desktop\\."), clip);
    }
  }

  @Test
  void unknownMessageClosesTheConnection() throws Exception {
    try (Viewer viewer = new Viewer(server.port(), "RFB 003.008\n")) {
      viewer.out.write(new byte[] {77, 0, 0, 0});
      assertEquals(-1, viewer.in.read());
    }
  }
}
