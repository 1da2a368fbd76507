package io.vncgate.testbeds.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Frame;
import java.awt.Graphics;
import java.awt.Toolkit;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The desktop scenario's X client, run as a process of its own with {@code DISPLAY} set to the
 * Xvnc (no window manager: undecorated AWT frames placed where they are told):
 * <ul>
 *   <li>the image region: a photo-like picture (smooth colour fields and fine grain) panned a few
 *       pixels every frame, so that every pixel changes, {@code imageHz} times a second;</li>
 *   <li>the moving window: a window of text moved {@code MOVE_STEP} pixels along a strip (to and
 *       fro), {@code moveHz} times a second;</li>
 *   <li>the marker: a small square, clear of everything else, filled with the next of two colours
 *       {@code markerHz} times a second, each time at a random moment of its period (so that its
 *       latency samples every phase of the other paints and of the server's updates). After each fill, {@code Toolkit.sync()} (XSync: the X server
 *       has done the drawing) and a line {@code M <System.nanoTime()>} on standard output: the time
 *       the paint reached the server, on the clock the bench reads (CLOCK_MONOTONIC, one per machine).</li>
 * </ul>
 * Once a second it prints {@code F <image frames> <moves> <marker paints>}, the counts so far. One
 * thread does all the drawing, so the X requests never interleave. Ends when standard input closes.
 * Arguments: {@code width height imageHz moveHz markerHz}.
 */
final class DesktopPainter {
  static final int IMAGE_W = 640;
  static final int IMAGE_H = 360;
  static final int MOVER_W = 400;
  static final int MOVER_H = 240;
  static final int MOVE_STEP = 8;
  static final int MARKER = 32;

  private DesktopPainter() {}

  /** The image region's top-left corner. */
  static int[] imageAt(int width, int height) {
    return new int[] {width - IMAGE_W - 280, 120};
  }

  /** The strip the moving window travels: {x from, x to, y}. */
  static int[] moverStrip(int width, int height) {
    return new int[] {40, width - MOVER_W - 200, height - MOVER_H - 140};
  }

  /** The marker's top-left corner: the bottom-right corner of the screen, 16 pixels in. */
  static int[] markerAt(int width, int height) {
    return new int[] {width - MARKER - 16, height - MARKER - 16};
  }

  /** The marker's centre, the pixel a viewer watches. */
  static int[] markerPixel(int width, int height) {
    int[] m = markerAt(width, height);
    return new int[] {m[0] + MARKER / 2, m[1] + MARKER / 2};
  }

  public static void main(String[] args) throws Exception {
    int width = Integer.parseInt(args[0]);
    int height = Integer.parseInt(args[1]);
    double imageHz = Double.parseDouble(args[2]);
    double moveHz = Double.parseDouble(args[3]);
    double markerHz = Double.parseDouble(args[4]);

    BufferedImage photo = photo(IMAGE_W * 2, IMAGE_H * 2);
    int[] ia = imageAt(width, height);
    Frame image = frame(ia[0], ia[1], IMAGE_W, IMAGE_H);
    int[] strip = moverStrip(width, height);
    Frame mover = new Frame() {
      @Override
      public void paint(Graphics g) {
        g.setColor(new Color(0xF4F1E8));
        g.fillRect(0, 0, MOVER_W, MOVER_H);
        g.setColor(new Color(0x203040));
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 13));
        for (int i = 0; i < MOVER_H / 16; i++) {
          g.drawString(String.format(Locale.ROOT, "%02d  the quick brown fox jumps over the lazy dog", i), 8, 18 + 16 * i);
        }
      }
    };
    place(mover, strip[0], strip[2], MOVER_W, MOVER_H);
    int[] ma = markerAt(width, height);
    Frame marker = frame(ma[0], ma[1], MARKER, MARKER);
    Toolkit.getDefaultToolkit().sync();

    ScheduledExecutorService painter = Executors.newSingleThreadScheduledExecutor();
    long[] counts = new long[3];
    painter.scheduleAtFixedRate(() -> {
      long f = counts[0]++;
      Graphics g = image.getGraphics();
      if (g != null) {
        int dx = (int) (f * 3 % IMAGE_W);
        int dy = (int) (f * 2 % IMAGE_H);
        g.drawImage(photo, -dx, -dy, null);
        g.dispose();
      }
      Toolkit.getDefaultToolkit().sync();
    }, 100, period(imageHz), TimeUnit.MICROSECONDS);
    painter.scheduleAtFixedRate(() -> {
      long m = counts[1]++;
      int span = (strip[1] - strip[0]) / MOVE_STEP;
      long k = m % (2L * span);
      int x = strip[0] + (int) (k < span ? k : 2L * span - k) * MOVE_STEP;
      mover.setLocation(x, strip[2]);
      Toolkit.getDefaultToolkit().sync();
    }, 150, period(moveHz), TimeUnit.MICROSECONDS);
    // the marker at a random moment of each of its periods: on a fixed rate it would keep one phase
    // to the other paints and to the server's update clock for a whole run, and every path's
    // latency would be that phase's (runs differed by 10 ms on one path, 2026-12-03)
    long markerPeriod = period(markerHz);
    Random jitter = new Random();
    long[] slot = {System.nanoTime() / 1000 + 200};
    Runnable[] paintMarker = new Runnable[1];
    paintMarker[0] = () -> {
      long p = counts[2]++;
      Graphics g = marker.getGraphics();
      if (g != null) {
        g.setColor(p % 2 == 0 ? new Color(0xE0A020) : new Color(0x2060E0));
        g.fillRect(0, 0, MARKER, MARKER);
        g.dispose();
      }
      Toolkit.getDefaultToolkit().sync();
      System.out.println("M " + System.nanoTime());
      System.out.flush();
      slot[0] += markerPeriod;
      long at = slot[0] + (long) (jitter.nextDouble() * markerPeriod);
      painter.schedule(paintMarker[0], Math.max(0, at - System.nanoTime() / 1000), TimeUnit.MICROSECONDS);
    };
    painter.schedule(paintMarker[0], 200 + (long) (jitter.nextDouble() * markerPeriod), TimeUnit.MICROSECONDS);
    painter.scheduleAtFixedRate(() -> {
      System.out.println("F " + counts[0] + " " + counts[1] + " " + counts[2]);
      System.out.flush();
    }, 1000, 1000_000, TimeUnit.MICROSECONDS);

    while (System.in.read() >= 0) {
      // runs until the bench closes our standard input (or ends)
    }
    painter.shutdownNow();
    System.exit(0);
  }

  private static long period(double hz) {
    return Math.max(1000, Math.round(1e6 / hz));
  }

  private static Frame frame(int x, int y, int w, int h) {
    Frame f = new Frame();
    place(f, x, y, w, h);
    return f;
  }

  private static void place(Frame f, int x, int y, int w, int h) {
    f.setUndecorated(true);
    f.setBounds(x, y, w, h);
    f.setVisible(true);
  }

  /** A picture with a photograph's statistics: smooth fields of colour, edges, and fine grain. */
  private static BufferedImage photo(int w, int h) {
    Random r = new Random(20);
    double[][] waves = new double[12][4];
    for (double[] wv : waves) {
      wv[0] = r.nextDouble() * 0.03;
      wv[1] = r.nextDouble() * 0.03;
      wv[2] = r.nextDouble() * Math.PI * 2;
      wv[3] = r.nextInt(3);
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double[] c = {0.5, 0.5, 0.5};
        for (double[] wv : waves) c[(int) wv[3]] += 0.18 * Math.sin(wv[0] * x + wv[1] * y + wv[2]);
        int rgb = 0;
        for (int k = 0; k < 3; k++) {
          int v = (int) (c[k] * 255 + r.nextGaussian() * 6);
          rgb = rgb << 8 | Math.max(0, Math.min(255, v));
        }
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }
}
