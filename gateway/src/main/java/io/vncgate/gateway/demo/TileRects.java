package io.vncgate.gateway.demo;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns a set of dirty tiles into few rectangles: runs along each row, stacked when rows repeat. */
final class TileRects {
  private TileRects() {}

  /** Rectangles {x, y, w, h} in pixels, clipped to the framebuffer. */
  static List<int[]> of(BitSet tiles, int tilesX, int tilesY, int tile, int width, int height) {
    List<int[]> done = new ArrayList<>();
    Map<Long, int[]> open = new HashMap<>(); // (first tile, last tile) of a run → its rectangle so far
    for (int ty = 0; ty < tilesY; ty++) {
      Map<Long, int[]> next = new HashMap<>();
      int tx = 0;
      while (tx < tilesX) {
        if (!tiles.get(ty * tilesX + tx)) {
          tx++;
          continue;
        }
        int start = tx;
        while (tx < tilesX && tiles.get(ty * tilesX + tx)) tx++;
        long key = ((long) start << 32) | (tx - 1);
        int y = ty * tile;
        int h = Math.min(height, y + tile) - y;
        int[] rect = open.remove(key);
        if (rect != null) {
          rect[3] += h;
        } else {
          int x = start * tile;
          rect = new int[] {x, y, Math.min(width, tx * tile) - x, h};
        }
        next.put(key, rect);
      }
      done.addAll(open.values());
      open = next;
    }
    done.addAll(open.values());
    return done;
  }
}
