package io.vncgate.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a viewer owes: whole 64x64 tiles, runs per row, cleared when taken, at most one bit per tile however much changed. */
class DirtyTilesTest {
  private static final Rect ALL = new Rect(0, 0, 65535, 65535);

  @Test
  void aNewViewerOwesTheWholeDesktopInOneRunPerTileRow() {
    DirtyTiles d = new DirtyTiles(200, 100); // 4 x 2 tiles, the last column and row partial
    assertEquals(8, d.count());
    assertEquals(List.of(new Rect(0, 0, 200, 64), new Rect(0, 64, 200, 36)), d.take(ALL, 200, 100));
    assertTrue(d.isEmpty());
    assertEquals(List.of(), d.take(ALL, 200, 100), "nothing more until something changes");
  }

  @Test
  void damageMarksEveryTileItTouchesOnce() {
    DirtyTiles d = new DirtyTiles(640, 480);
    d.take(ALL, 640, 480);
    for (int i = 0; i < 1000; i++) d.mark(60, 10, 10, 60); // 1000 updates of the same corner: still 4 tiles owed
    assertEquals(4, d.count());
    assertEquals(List.of(new Rect(0, 0, 128, 64), new Rect(0, 64, 128, 64)), d.take(ALL, 640, 480));
  }

  @Test
  void onlyTilesTouchingTheRequestedRegionAreTakenAndTheRestStaysOwed() {
    DirtyTiles d = new DirtyTiles(256, 64);
    Rect right = new Rect(130, 0, 10, 10);
    assertTrue(d.any(right));
    assertEquals(List.of(new Rect(128, 0, 64, 64)), d.take(right, 256, 64), "the whole tile the region touches");
    assertEquals(3, d.count());
    assertFalse(d.any(right));
    assertEquals(List.of(new Rect(0, 0, 128, 64), new Rect(192, 0, 64, 64)), d.take(ALL, 256, 64));
  }

  @Test
  void rectanglesAreClippedToTheSizeTheViewerKnows() {
    DirtyTiles d = new DirtyTiles(300, 300);
    // a viewer that cannot resize still knows 100x100: it is sent the part that overlaps, and owes nothing more
    assertEquals(List.of(new Rect(0, 0, 100, 64), new Rect(0, 64, 100, 36)), d.take(ALL, 100, 100));
    assertTrue(d.take(ALL, 100, 100).isEmpty());
  }

  @Test
  void damageOutsideTheFramebufferIsIgnoredAndAResizeMakesEverythingDirty() {
    DirtyTiles d = new DirtyTiles(100, 100);
    d.take(ALL, 100, 100);
    d.mark(100, 0, 10, 10);
    d.mark(0, 0, 0, 10);
    d.mark(-5, 0, 3, 3);
    assertTrue(d.isEmpty());
    d.resize(130, 70);
    assertEquals(List.of(new Rect(0, 0, 130, 64), new Rect(0, 64, 130, 6)), d.take(ALL, 130, 70));
  }
}
