package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's encoded tiles, shared by its viewers: each 64x64 tile of the framebuffer (the grid
 * of {@link DirtyTiles}) is encoded once per {@link Form} (pixel format, encoding, JPEG quality)
 * and per change, and every viewer in that form whose update carries the tile is sent the same
 * bytes; so are tiles side by side in a row sent as one rectangle ({@link #run}: Tight's JPEG). A
 * tile's bytes stand alone: ZRLE's are a piece of zlib stream compressed from an empty dictionary
 * and ended on a byte boundary ({@link ZrleEncoder#tile}), so any viewer's stream can go on with
 * them; Tight's reset their zlib stream first ({@link TightEncoder#tile}); a JPEG needs no stream.
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

  /** A rectangle of tiles in a row ({@link #run}): how many, their versions when encoded, the bytes. */
  private record RunEntry(int tiles, int[] versions, byte[] bytes) {}

  /** A whole update (its copies and rectangles) built while the framebuffer had seen {@code changes} changes. */
  private record Update(List<ViewerEncoder.Copy> copies, List<Rect> rects, long changes, Buffer bytes) {}

  /** One form's entries: a tile's at its index, a run's at its first tile's; the last whole update. */
  private static final class FormEntries {
    final Entry[] tiles;
    final RunEntry[] runs;
    Update last;

    FormEntries(int count) {
      tiles = new Entry[count];
      runs = new RunEntry[count];
    }
  }

  private int width;
  private int height;
  private int columns;
  private int[] versions;
  /** In the order of use, the least recently used first. */
  private final Map<Form, FormEntries> byFormat = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Form, FormEntries> eldest) {
      return size() > MAX_FORMATS;
    }
  };
  /** Calls of {@link #changed} and {@link #resized}: a whole update is current while this is. */
  private long changes;
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
    changes++;
  }

  /** The framebuffer's pixels in this rectangle changed: the tiles it touches are encoded afresh. */
  void changed(int x, int y, int w, int h) {
    int x1 = Math.min(width, x + w);
    int y1 = Math.min(height, y + h);
    if (w <= 0 || h <= 0 || x < 0 || y < 0 || x >= x1 || y >= y1) return;
    changes++;
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
    Entry[] entries = entries(form).tiles;
    if (entries[index] != null && entries[index].version == versions[index]) {
      reused++;
      return entries[index].bytes;
    }
    byte[] bytes = coder.encode(fb, x, y, w, h);
    encoded++;
    entries[index] = new Entry(versions[index], bytes);
    return bytes;
  }

  /**
   * The {@code w x h} rectangle at {@code (x, y)}: whole tiles side by side in a row (a multiple
   * of 64 each but where the framebuffer ends), in {@code form}: its entry when it was encoded as
   * this run and none of its tiles changed since, else encoded now by {@code coder} (and kept).
   * A run that is not whole tiles is encoded alone.
   */
  byte[] run(Framebuffer fb, int x, int y, int w, int h, Form form, Coder coder) {
    boolean whole = x % TILE == 0 && y % TILE == 0 && fb.width() == width && fb.height() == height && w > 0
        && x + w <= width && (w % TILE == 0 || x + w == width) && h == Math.min(TILE, height - y);
    if (!whole) {
      encoded++;
      return coder.encode(fb, x, y, w, h);
    }
    int first = (y / TILE) * columns + x / TILE;
    int count = (w + TILE - 1) / TILE;
    RunEntry[] runs = entries(form).runs;
    RunEntry entry = runs[first];
    if (entry != null && entry.tiles == count && Arrays.equals(entry.versions, 0, count, versions, first, first + count)) {
      reused++;
      return entry.bytes;
    }
    byte[] bytes = coder.encode(fb, x, y, w, h);
    encoded++;
    runs[first] = new RunEntry(count, Arrays.copyOfRange(versions, first, first + count), bytes);
    return bytes;
  }

  /**
   * The whole update last built in {@code form} for these copies and rectangles, if nothing
   * changed since: viewers in one state (most of a session's, most of the time) are sent one
   * buffer. It is never changed once built. Null: build it, and {@link #keepUpdate} it.
   */
  Buffer update(Form form, List<ViewerEncoder.Copy> copies, List<Rect> rects) {
    Update last = entries(form).last;
    if (last == null || last.changes != changes || !last.rects.equals(rects) || !last.copies.equals(copies)) return null;
    reused++;
    return last.bytes;
  }

  /** {@code bytes}, the whole update for these copies and rectangles in {@code form}, for the next viewers in this state. */
  void keepUpdate(Form form, List<ViewerEncoder.Copy> copies, List<Rect> rects, Buffer bytes) {
    entries(form).last = new Update(List.copyOf(copies), List.copyOf(rects), changes, bytes);
  }

  private FormEntries entries(Form form) {
    return byFormat.computeIfAbsent(form, f -> new FormEntries(versions.length));
  }

  /** Tiles and runs encoded so far (tests, metrics). */
  long encoded() {
    return encoded;
  }

  /** Tiles, runs and whole updates sent from an entry so far, not encoded again (tests, metrics). */
  long reused() {
    return reused;
  }
}
