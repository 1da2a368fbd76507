package io.vncgate.testbeds.qemu;

import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.TestbedException;
import java.io.IOException;
import java.time.Duration;

/**
 * What a {@link QemuVncServer} shows: SeaBIOS's text screen (720×400, light grey text on black).
 * QEMU paints it a moment after start, so a reader polls until text is there.
 */
public final class SeaBiosScreen {

  /** SeaBIOS's text mode on std VGA. */
  public static final int WIDTH = 720;
  public static final int HEIGHT = 400;

  /** Fewer lit pixels than this is a blank (or nearly blank) screen, not SeaBIOS's lines of text. */
  static final int MIN_LIT = 500;

  private SeaBiosScreen() {
  }

  /** Pixels of the update that are not black. */
  public static int litPixels(Framebuffer fb) {
    int lit = 0;
    for (int y = 0; y < fb.height(); y++) {
      for (int x = 0; x < fb.width(); x++) {
        if (fb.covered(x, y) && fb.rgb(x, y) != 0) {
          lit++;
        }
      }
    }
    return lit;
  }

  /**
   * Reads full Raw updates (after a completed handshake) until the screen shows text, 200 ms apart;
   * returns that framebuffer, or fails after {@code timeout} with the last count of lit pixels.
   */
  public static Framebuffer awaitText(RfbTestClient client, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int lit = 0;
    while (System.nanoTime() < deadline) {
      Framebuffer fb = client.readFramebufferUpdateRaw();
      lit = litPixels(fb);
      if (lit >= MIN_LIT) {
        return fb;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted while waiting for SeaBIOS's screen", e);
      }
    }
    throw new TestbedException("QEMU's screen still blank after " + timeout + ": " + lit + " lit pixels");
  }
}
