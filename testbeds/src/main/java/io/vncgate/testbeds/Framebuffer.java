package io.vncgate.testbeds;

import java.util.Arrays;

/**
 * Pixels received in one FramebufferUpdate, in desktop coordinates. Pixels no rectangle covered
 * are unknown: {@link #rgb} refuses them rather than report a made-up colour.
 */
public final class Framebuffer {

  private static final int UNKNOWN = -1;

  private final int width;
  private final int height;
  private final int[] pixels;
  private int rectangles;

  public Framebuffer(int width, int height) {
    this.width = width;
    this.height = height;
    this.pixels = new int[width * height];
    Arrays.fill(pixels, UNKNOWN);
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Number of rectangles that updated this framebuffer. */
  public int rectangles() {
    return rectangles;
  }

  /** Whether a rectangle covered pixel (x, y). */
  public boolean covered(int x, int y) {
    checkBounds(x, y);
    return pixels[y * width + x] != UNKNOWN;
  }

  /** Colour {@code 0xRRGGBB} at (x, y); fails when no rectangle covered that pixel. */
  public int rgb(int x, int y) {
    checkBounds(x, y);
    int value = pixels[y * width + x];
    if (value == UNKNOWN) {
      throw new IllegalStateException("pixel (" + x + "," + y + ") was not in the update");
    }
    return value;
  }

  /** Colour at (x, y) as {@code #rrggbb}, convenient in assertion messages. */
  public String hex(int x, int y) {
    return String.format("#%06x", rgb(x, y));
  }

  /** Stores a Raw rectangle whose pixels are in {@code format}. */
  void putRaw(int x, int y, int w, int h, byte[] data, PixelFormat format) {
    if (x + w > width || y + h > height) {
      throw new IllegalArgumentException(
          "rectangle " + w + "x" + h + "+" + x + "+" + y + " outside " + width + "x" + height);
    }
    int bpp = format.bytesPerPixel();
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        pixels[(y + row) * width + x + col] = format.decode(data, (row * w + col) * bpp);
      }
    }
    rectangles++;
  }

  private void checkBounds(int x, int y) {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      throw new IndexOutOfBoundsException("(" + x + "," + y + ") outside " + width + "x" + height);
    }
  }
}
