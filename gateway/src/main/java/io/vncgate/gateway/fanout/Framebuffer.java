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
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** CopyRect: {@code w x h} pixels from {@code (srcX, srcY)} to {@code (x, y)}, overlap-safe. */
  public void copy(int srcX, int srcY, int x, int y, int w, int h) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }
}
