package io.vncgate.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.TigerVncViewer;
import io.vncgate.testbeds.XvncServer;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The encoder's ZRLE and Tight read by an independent implementation: TigerVNC's own viewer connects to a
 * small RFB server in the test that answers its first update request with {@link ViewerEncoder}'s
 * output, and the viewer's window (on an Xvnc screen, read back in Raw) shows the desktop pixel
 * for pixel.
 */
@Timeout(90)
class ViewerEncoderTigerVncTest {

  /**
   * Full colour: 32 bpp with 3-byte CPIXELs, shown exactly. Low colour: TigerVNC asks for 8 bpp
   * BGR233 (1-byte CPIXELs); each channel then comes back within half a step of its maximum.
   * Tight (full colour, without JPEG: fill, palette and copy tiles, lossless) shown exactly.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"ZRLE, -FullColor=1, 0", "ZRLE, -FullColor=0, 1", "Tight, -FullColor=1, 0"})
  void tigerVncViewerShowsTheEncodersZrleAndTight(String encoding, String colour, int lowColour) throws Exception {
    XvncServer.require();
    TigerVncViewer.require();
    io.vncgate.gateway.fanout.Framebuffer desktop = ViewerEncoderTest.desktop();
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    try (XvncServer screen = XvncServer.builder().geometry(640, 480).blacklist(false).start();
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> serve(server, desktop, seen));
      // started without the testbed's debug log level, under which the viewer keeps a statistics graph over the picture
      Process viewer = screen.runOnDisplay("xtigervncviewer", "-AutoSelect=0", "-PreferredEncoding=" + encoding, "-NoJPEG=1",
          colour, "-LowColorLevel=2",
          "-geometry", "200x150+10+10", "127.0.0.1::" + server.getLocalPort());
      try (RfbTestClient eyes = RfbTestClient.connect(screen.host(), screen.port())) {
        eyes.handshakeNone();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int[] at = null;
        Framebuffer shot = null;
        while (at == null && System.nanoTime() < deadline && !served.isCompletedExceptionally()) {
          Thread.sleep(300);
          shot = eyes.readFramebufferUpdateRaw();
          at = find(shot, desktop, lowColour == 1);
        }
        int[] where = at;
        assertTrue(where != null, () -> "the viewer never showed the desktop; server saw " + seen + " (viewer alive: " + viewer.isAlive() + ")");
        assertTrue(seen.contains(encoding), () -> "the update went in " + encoding + ": " + seen);
        String bpp = "bitsPerPixel=" + (lowColour == 1 ? 8 : 32);
        assertTrue(seen.stream().anyMatch(f -> f.startsWith("sent in") && f.contains(bpp)), () -> "the update went in " + bpp + ": " + seen);
        // the viewer lays a "Press F8" notice and a statistics graph over the picture for a few seconds: look again until they are gone
        int wrong = -1;
        StringBuilder first = new StringBuilder();
        for (int look = 0; look < 50 && wrong != 0; look++) {
          Thread.sleep(300);
          shot = eyes.readFramebufferUpdateRaw();
          wrong = 0;
          first.setLength(0);
          for (int y = 0; y < desktop.height(); y++) {
            for (int x = 0; x < desktop.width(); x++) {
              int want = desktop.pixels()[y * desktop.width() + x];
              int got = shot.rgb(where[0] + x, where[1] + y);
              if (!close(got, want, lowColour == 1) && wrong++ < 5) first.append(String.format(" (%d,%d) %06x not %06x", x, y, got, want));
            }
          }
        }
        String firstWrong = first.toString();
        assertEquals(0, wrong, () -> "pixels the viewer shows differently, at " + where[0] + "," + where[1] + " first:" + firstWrong + " (viewer alive: " + viewer.isAlive() + ")");
      }
    }
  }

  /**
   * Tight with JPEG, as TigerVNC's viewer asks by default (quality level 8: JPEG quality 92): the
   * tiles of few colours (the top row) show exactly, and the smooth gradient below them, sent as
   * JPEG, shows within a few steps of each channel, decoded by the viewer's own libjpeg.
   */
  @Test
  void tigerVncViewerShowsTightJpegCloseToThePicture() throws Exception {
    XvncServer.require();
    TigerVncViewer.require();
    io.vncgate.gateway.fanout.Framebuffer desktop = ViewerEncoderTest.desktop();
    int[] p = desktop.pixels();
    for (int y = 64; y < desktop.height(); y++) {
      for (int x = 0; x < desktop.width(); x++) p[y * desktop.width() + x] = (x + 30) << 16 | (y + 40) << 8 | (x + y) / 2;
    }
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    try (XvncServer screen = XvncServer.builder().geometry(640, 480).blacklist(false).start();
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> serve(server, desktop, seen));
      Process viewer = screen.runOnDisplay("xtigervncviewer", "-AutoSelect=0", "-PreferredEncoding=Tight", "-NoJPEG=0",
          "-QualityLevel=8", "-FullColor=1", "-geometry", "200x150+10+10", "127.0.0.1::" + server.getLocalPort());
      try (RfbTestClient eyes = RfbTestClient.connect(screen.host(), screen.port())) {
        eyes.handshakeNone();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int[] at = null;
        while (at == null && System.nanoTime() < deadline && !served.isCompletedExceptionally()) {
          Thread.sleep(300);
          at = find(eyes.readFramebufferUpdateRaw(), desktop, false);
        }
        int[] where = at;
        assertTrue(where != null, () -> "the viewer never showed the desktop; server saw " + seen + " (viewer alive: " + viewer.isAlive() + ")");
        assertTrue(seen.contains("Tight") && seen.contains("jpeg quality 92"), () -> "Tight with JPEG at 92: " + seen);
        // look again until the viewer's notices over the picture are gone
        int wrong = -1;
        double error = -1;
        for (int look = 0; look < 50 && (wrong != 0 || error > 4); look++) {
          Thread.sleep(300);
          Framebuffer shot = eyes.readFramebufferUpdateRaw();
          wrong = 0;
          long sum = 0;
          for (int y = 0; y < desktop.height(); y++) {
            for (int x = 0; x < desktop.width(); x++) {
              int want = p[y * desktop.width() + x];
              int got = shot.rgb(where[0] + x, where[1] + y);
              if (y < 64) {
                if (got != want) wrong++;
              } else {
                for (int shift = 0; shift <= 16; shift += 8) sum += Math.abs((got >> shift & 0xFF) - (want >> shift & 0xFF));
              }
            }
          }
          error = sum / (3.0 * desktop.width() * (desktop.height() - 64));
        }
        assertEquals(0, wrong, "pixels of the palette and fill tiles shown differently");
        double meanError = error;
        assertTrue(meanError <= 4, () -> "the JPEG tiles' mean error per channel: " + meanError);
      }
    }
  }

  /** Equal, or in BGR233 within half a step of each channel's maximum (7, 7, 3). */
  private static boolean close(int got, int want, boolean bgr233) {
    if (!bgr233) return got == want;
    int[] max = {7, 7, 3};
    for (int i = 0; i < 3; i++) {
      int g = got >> (16 - 8 * i) & 0xFF;
      int w = want >> (16 - 8 * i) & 0xFF;
      if (Math.abs(g - w) > 255 / (2 * max[i]) + 1) return false;
    }
    return true;
  }

  /** Where the desktop's first row starts on the screen, or null. */
  private static int[] find(Framebuffer shot, io.vncgate.gateway.fanout.Framebuffer desktop, boolean lowColour) {
    int n = ViewerEncoderTest.COLOURS.length;
    for (int y = 0; y + desktop.height() <= shot.height(); y++) {
      for (int x = 0; x + desktop.width() <= shot.width(); x++) {
        boolean match = true;
        for (int i = 0; i < n && match; i++) match = close(shot.rgb(x + i, y), desktop.pixels()[i], lowColour);
        if (match) return new int[] {x, y};
      }
    }
    return null;
  }

  /** One viewer: None security, ServerInit in the gateway's format, then the encoder's update for its first request. */
  private static void serve(ServerSocket server, io.vncgate.gateway.fanout.Framebuffer desktop, ConcurrentLinkedQueue<String> seen) {
    try (Socket s = server.accept()) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
      in.readFully(new byte[12]);
      out.write(new byte[] {1, 1});
      in.readUnsignedByte();
      out.write(new byte[4]);
      in.readUnsignedByte();
      byte[] name = "fanout".getBytes(StandardCharsets.US_ASCII);
      out.write(Buffer.buffer().appendUnsignedShort(desktop.width()).appendUnsignedShort(desktop.height())
          .appendBytes(PixelFormat.GATEWAY.bytes()).appendInt(name.length).appendBytes(name).getBytes());
      ViewerEncoder encoder = new ViewerEncoder();
      boolean sent = false;
      while (true) {
        int type = in.readUnsignedByte();
        switch (type) {
          case 0 -> {
            byte[] m = new byte[19];
            in.readFully(m);
            encoder.pixelFormat(PixelFormat.read(Buffer.buffer(m), 3));
            seen.add(encoder.pixelFormat().toString());
          }
          case 2 -> {
            in.readUnsignedByte();
            int[] encodings = new int[in.readUnsignedShort()];
            for (int i = 0; i < encodings.length; i++) encodings[i] = in.readInt();
            encoder.encodings(encodings);
            if (encoder.encoding() == io.vncgate.gateway.rfb.Encodings.ZRLE) seen.add("ZRLE");
            if (encoder.encoding() == io.vncgate.gateway.rfb.Encodings.TIGHT) seen.add("Tight");
            seen.add("jpeg quality " + encoder.jpegQuality());
          }
          case 3 -> {
            in.readFully(new byte[9]);
            if (!sent) {
              seen.add("sent in " + encoder.pixelFormat());
              out.write(encoder.update(desktop, List.of(new Rect(0, 0, desktop.width(), desktop.height())),
                  ViewerEncoder.Extras.NONE).getBytes());
              sent = true;
            }
          }
          case 4 -> in.readFully(new byte[7]);
          case 5 -> in.readFully(new byte[5]);
          case 6 -> {
            in.readFully(new byte[3]);
            in.readFully(new byte[Math.abs(in.readInt())]);
          }
          case 248 -> {
            in.readFully(new byte[7]);
            in.readFully(new byte[in.readUnsignedByte()]);
          }
          case 150 -> in.readFully(new byte[9]);
          default -> throw new IllegalStateException("viewer message type " + type);
        }
      }
    } catch (java.io.EOFException | java.net.SocketException closed) {
      // the viewer went away
    } catch (Exception e) {
      seen.add("server failed: " + e);
      throw new IllegalStateException(e);
    }
  }
}
