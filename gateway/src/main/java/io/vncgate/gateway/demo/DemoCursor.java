package io.vncgate.gateway.demo;

/** The pointer shape sent with the Cursor pseudo-encoding: a white arrow with a dark outline. */
final class DemoCursor {
  private static final String[] SHAPE = {
      "X...........",
      "XX..........",
      "XoX.........",
      "XooX........",
      "XoooX.......",
      "XooooX......",
      "XoooooX.....",
      "XooooooX....",
      "XoooooooX...",
      "XooooooooX..",
      "XoooooooooX.",
      "XooooooXXXXX",
      "XoooXooX....",
      "XooXXooX....",
      "XoX..XooX...",
      "XX...XooX...",
      "X.....XooX..",
      "......XooX..",
      ".......XX...",
  };
  static final int WIDTH = SHAPE[0].length();
  static final int HEIGHT = SHAPE.length;
  static final int HOT_X = 0;
  static final int HOT_Y = 0;

  private DemoCursor() {}

  /** The pseudo-rectangle's payload: pixels in the viewer's format, then the 1-bit mask, rows padded to bytes. */
  static byte[] encode(PixelFormat format) {
    int[] pixels = new int[WIDTH * HEIGHT];
    int maskRow = (WIDTH + 7) / 8;
    byte[] mask = new byte[maskRow * HEIGHT];
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        char c = SHAPE[y].charAt(x);
        pixels[y * WIDTH + x] = c == 'o' ? 0xffffff : 0x101010;
        if (c != '.') mask[y * maskRow + x / 8] |= (byte) (0x80 >>> (x % 8));
      }
    }
    byte[] out = new byte[WIDTH * HEIGHT * format.bytesPerPixel() + mask.length];
    int pos = format.encode(pixels, WIDTH, 0, 0, WIDTH, HEIGHT, out, 0);
    System.arraycopy(mask, 0, out, pos, mask.length);
    return out;
  }
}
