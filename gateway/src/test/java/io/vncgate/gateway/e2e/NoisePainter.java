package io.vncgate.gateway.e2e;

import java.awt.Frame;
import java.awt.Graphics;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * An X client for tests: a window of random pixels (full colour: a VNC server encodes it as such,
 * not as a palette) at 0,0, {@code args[0]} x {@code args[1]} pixels, until it is killed.
 */
public final class NoisePainter {
  private NoisePainter() {}

  public static void main(String[] args) throws Exception {
    int w = Integer.parseInt(args[0]);
    int h = Integer.parseInt(args[1]);
    BufferedImage noise = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) noise.setRGB(x, y, r.nextInt(1 << 24));
    }
    Frame f = new Frame() {
      @Override
      public void paint(Graphics g) {
        g.drawImage(noise, 0, 0, null);
      }
    };
    f.setUndecorated(true);
    f.setBounds(0, 0, w, h);
    f.setVisible(true);
    while (true) {
      Thread.sleep(200);
      f.repaint();
    }
  }
}
