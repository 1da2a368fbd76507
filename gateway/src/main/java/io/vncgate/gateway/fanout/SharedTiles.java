package io.vncgate.gateway.fanout;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A session's encoded tiles, shared by its viewers: each 64x64 tile of the framebuffer (the grid
 * of {@link DirtyTiles}) is encoded once per {@link Form} (pixel format, encoding, JPEG quality)
 * and per change, and every viewer in that form whose update carries the tile is sent the same
 * bytes. A tile's bytes stand alone: ZRLE's are a piece of zlib stream compressed from an empty
 * dictionary and ended on a byte boundary ({@link ZrleEncoder#tile}), so any viewer's stream can go
 * on with them; Tight's reset their zlib stream first ({@link TightEncoder#tile}).
 *
 * <p>A tile's entry is current while its version is: the session bumps the versions of the tiles
 * a decoded rectangle or a copy touched ({@link #changed}), after the framebuffer has the pixels,
 * and {@link #resized} forgets everything. A tile cut short by a viewer that knows a smaller
 * desktop than the framebuffer's is encoded for that viewer alone. Entries are kept for
 * {@link #MAX_FORMATS} forms at most, the ones used last (a viewer that keeps changing its pixel
 * format cannot pin forms nobody uses). Touched on the session's loop only.
 */
final class SharedTiles {
  static final int TILE = DirtyTiles.TILE;
  /** Forms with shared entries; viewers use one or two (noVNC Tight at quality 6, TigerVNC 8 bpp then 32). */
  static final int MAX_FORMATS = 4;

  /** What a tile's bytes are: ZRLE in a pixel format, or Tight with JPEG at a quality (0: lossless). */
  record Form(PixelFormat format, int encoding, int jpegQuality) {}

  /** Encodes one tile (or part of one) of the framebuffer in a form. */
  interface Coder {
    byte[] encode(Framebuffer fb, int x, int y, int w, int h);
  }

  private record Entry(int version, byte[] bytes) {}

  private int width;
  private int height;
  private int columns;
  private int[] versions;
  /** In the order of use, the least recently used first. */
  private final Map<Form, Entry[]> byFormat = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Form, Entry[]> eldest) {
      return size() > MAX_FORMATS;
    }
  };
  private long encoded;
  private long reused;

  SharedTiles(int width, int height) {
    resized(width, height);
  }

  /** A new size: every entry is forgotten. */
  void resized(int width, int height) {
    this.width = width;
    this.height = height;
    this.columns = (width + TILE - 1) / TILE;
    this.versions = new int[columns * ((height + TILE - 1) / TILE)];
    byFormat.clear();
  }

  /** The framebuffer's pixels in this rectangle changed: the tiles it touches are encoded afresh. */
  void changed(int x, int y, int w, int h) {
    int x1 = Math.min(width, x + w);
    int y1 = Math.min(height, y + h);
    if (w <= 0 || h <= 0 || x < 0 || y < 0 || x >= x1 || y >= y1) return;
    for (int r = y / TILE; r <= (y1 - 1) / TILE; r++) {
      for (int c = x / TILE; c <= (x1 - 1) / TILE; c++) versions[r * columns + c]++;
    }
  }

  /**
   * The tile at {@code (x, y)} (a multiple of 64 each), {@code w x h} of it, in {@code form}: its
   * entry when current, else encoded now by {@code coder} (and kept when it is the whole tile).
   */
  byte[] tile(Framebuffer fb, int x, int y, int w, int h, Form form, Coder coder) {
    boolean whole = x % TILE == 0 && y % TILE == 0 && fb.width() == width && fb.height() == height
        && w == Math.min(TILE, width - x) && h == Math.min(TILE, height - y);
    if (!whole) {
      encoded++;
      return coder.encode(fb, x, y, w, h);
    }
    int index = (y / TILE) * columns + x / TILE;
    Entry[] entries = byFormat.computeIfAbsent(form, f -> new Entry[versions.length]);
    if (entries[index] != null && entries[index].version == versions[index]) {
      reused++;
      return entries[index].bytes;
    }
    byte[] bytes = coder.encode(fb, x, y, w, h);
    encoded++;
    entries[index] = new Entry(versions[index], bytes);
    return bytes;
  }

  /** Tiles encoded so far (tests, metrics). */
  long encoded() {
    return encoded;
  }

  /** Tiles sent from an entry so far, not encoded again (tests, metrics). */
  long reused() {
    return reused;
  }
}
