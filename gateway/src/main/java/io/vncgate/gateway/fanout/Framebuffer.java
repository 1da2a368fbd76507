package io.vncgate.gateway.fanout;

/**
 * The gateway's copy of a shared desktop, decoded from the target's updates: one {@code int} per
 * pixel, {@code 0xRRGGBB}, row-major. Touched only on its session's event loop.
 */
public final class Framebuffer {
  private int width;
  private int height;
  private int[] pixels;

  public Framebuffer(int width, int height) {
    this.width = width;
    this.height = height;
    this.pixels = new int[width * height];
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The pixels, {@code width * height} long; a new array after {@link #resize}. */
  public int[] pixels() {
    return pixels;
  }

  /** A new size; the overlap with the old picture is kept, the rest is black. */
  public void resize(int width, int height) {
    if (width < 0 || height < 0) throw new IllegalArgumentException("negative size " + width + "x" + height);
    int[] next = new int[width * height];
    int w = Math.min(width, this.width);
    int h = Math.min(height, this.height);
    for (int row = 0; row < h; row++) {
      System.arraycopy(pixels, row * this.width, next, row * width, w);
    }
    this.width = width;
    this.height = height;
    this.pixels = next;
  }

  /** Whether {@code w x h} at {@code (x, y)} lies inside the framebuffer (empty rectangles included). */
  public boolean contains(int x, int y, int w, int h) {
    return x >= 0 && y >= 0 && w >= 0 && h >= 0 && (long) x + w <= width && (long) y + h <= height;
  }

  /** CopyRect: {@code w x h} pixels from {@code (srcX, srcY)} to {@code (x, y)}, overlap-safe. */
  public void copy(int srcX, int srcY, int x, int y, int w, int h) {
    if (!contains(srcX, srcY, w, h) || !contains(x, y, w, h)) {
      throw new IllegalArgumentException("copy of " + w + "x" + h + " from " + srcX + "," + srcY + " to " + x + "," + y
          + " leaves the " + width + "x" + height + " framebuffer");
    }
    if (y > srcY) {
      // bottom up, so rows not yet copied are not overwritten
      for (int row = h - 1; row >= 0; row--) {
        System.arraycopy(pixels, (srcY + row) * width + srcX, pixels, (y + row) * width + x, w);
      }
    } else {
      // arraycopy is overlap-safe within a row
      for (int row = 0; row < h; row++) {
        System.arraycopy(pixels, (srcY + row) * width + srcX, pixels, (y + row) * width + x, w);
      }
    }
  }
}
