package io.vncgate.gateway.fanout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What one viewer has not been sent since the framebuffer changed: a bit per 64x64 tile. The
 * session marks every member's tiles as the target's updates are decoded; a member's update takes
 * (and clears) the dirty tiles in its request's region. However many updates a slow viewer missed,
 * what it owes is at most one bit per tile: it catches up with a fresh picture of what changed,
 * never a queue of stale updates.
 */
final class DirtyTiles {
  static final int TILE = 64;

  private int width;
  private int height;
  private int columns;
  private int rows;
  private BitSet bits;

  /** A new viewer: everything is dirty (its first request gets the whole desktop). */
  DirtyTiles(int width, int height) {
    resize(width, height);
  }

  /** A new size: every tile is dirty. */
  void resize(int width, int height) {
    this.width = width;
    this.height = height;
    this.columns = (width + TILE - 1) / TILE;
    this.rows = (height + TILE - 1) / TILE;
    this.bits = new BitSet(columns * rows);
    markAll();
  }

  void markAll() {
    bits.set(0, columns * rows);
  }

  /** Marks the tiles the rectangle touches (clipped to the framebuffer). */
  void mark(int x, int y, int w, int h) {
    int x1 = Math.min(width, x + w);
    int y1 = Math.min(height, y + h);
    if (w <= 0 || h <= 0 || x >= x1 || y >= y1 || x < 0 || y < 0) return;
    int c0 = x / TILE;
    int c1 = (x1 - 1) / TILE;
    for (int r = y / TILE; r <= (y1 - 1) / TILE; r++) {
      bits.set(r * columns + c0, r * columns + c1 + 1);
    }
  }

  boolean isEmpty() {
    return bits.isEmpty();
  }

  /** Dirty tiles now (tests, metrics). */
  int count() {
    return bits.cardinality();
  }

  /**
   * The dirty tiles that touch {@code region}, as rectangles (a run of dirty tiles in one row is
   * one rectangle), clipped to the framebuffer and to {@code clipWidth x clipHeight} (the size the
   * viewer knows); their bits are cleared. Whole tiles are sent even where the region cuts one:
   * the rest of a tile the viewer did not ask for is still current.
   */
  List<Rect> take(Rect region, int clipWidth, int clipHeight) {
    List<Rect> out = new ArrayList<>();
    int maxX = Math.min(width, clipWidth);
    int maxY = Math.min(height, clipHeight);
    int rx1 = Math.min(width, region.x() + region.w());
    int ry1 = Math.min(height, region.y() + region.h());
    if (region.w() <= 0 || region.h() <= 0 || region.x() >= rx1 || region.y() >= ry1) return out;
    int c0 = region.x() / TILE;
    int c1 = (rx1 - 1) / TILE;
    for (int r = region.y() / TILE; r <= (ry1 - 1) / TILE; r++) {
      int c = bits.nextSetBit(r * columns + c0);
      int rowEnd = r * columns + c1 + 1;
      while (c >= 0 && c < rowEnd) {
        int end = bits.nextClearBit(c);
        if (end > rowEnd) end = rowEnd;
        bits.clear(c, end);
        int x = (c - r * columns) * TILE;
        int y = r * TILE;
        int x1 = Math.min(maxX, (end - r * columns) * TILE);
        int y1 = Math.min(maxY, y + TILE);
        if (x < x1 && y < y1) out.add(new Rect(x, y, x1 - x, y1 - y));
        c = bits.nextSetBit(end);
      }
    }
    return out;
  }

  /** Whether any tile touching {@code region} is dirty. */
  boolean any(Rect region) {
    int rx1 = Math.min(width, region.x() + region.w());
    int ry1 = Math.min(height, region.y() + region.h());
    if (region.w() <= 0 || region.h() <= 0 || region.x() >= rx1 || region.y() >= ry1) return false;
    int c0 = region.x() / TILE;
    int c1 = (rx1 - 1) / TILE;
    for (int r = region.y() / TILE; r <= (ry1 - 1) / TILE; r++) {
      int c = bits.nextSetBit(r * columns + c0);
      if (c >= 0 && c <= r * columns + c1) return true;
    }
    return false;
  }
}
