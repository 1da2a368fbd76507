package io.vncgate.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The demo desktop's state, damage tracking and drawing, without sockets. */
class DemoDesktopTest {
  static final class Recorder implements DemoDesktop.Listener {
    final List<BitSet> damage = new ArrayList<>();
    final List<String> clipboards = new ArrayList<>();

    @Override
    public void damaged(BitSet tiles) {
      damage.add((BitSet) tiles.clone());
    }

    @Override
    public void clipboard(String text) {
      clipboards.add(text);
    }
  }

  static final class MutableClock extends Clock {
    long millis = Instant.parse("2026-01-02T03:04:05Z").toEpochMilli();

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  private static void type(DemoDesktop d, String s) {
    for (char c : s.toCharArray()) {
      d.key(c, true);
      d.key(c, false);
    }
  }

  @Test
  void typedKeysAreEchoedAndEnterCopiesTheLineToTheDesktopClipboard() {
    DemoDesktop d = new DemoDesktop(new MutableClock(), new BitmapFont());
    Recorder r = new Recorder();
    d.addListener(r);
    type(d, "hi there");
    d.key(0xff08, true); // BackSpace
    d.key(0xff0d, true); // Return
    assertEquals("hi ther\n", d.typed.toString());
    assertEquals(List.of("hi ther"), r.clipboards);
    d.key(0x010020ac, true); // Unicode keysym: €
    assertEquals("hi ther\n€", d.typed.toString());
  }

  @Test
  void ctrlVTypesWhatTheViewerPastedAndModifiersTypeNothing() {
    DemoDesktop d = new DemoDesktop(new MutableClock(), new BitmapFont());
    d.clientCutText("from the browser");
    d.key(0xffe3, true);
    d.key('v', true);
    d.key('v', false);
    d.key('c', true);
    d.key(0xffe3, false);
    assertEquals("from the browser", d.typed.toString());
    assertEquals("from the browser", d.pasted);
  }

  @Test
  void clickingTheCopyButtonPutsTheTimeOnTheDesktopClipboard() {
    DemoDesktop d = new DemoDesktop(new MutableClock(), new BitmapFont());
    Recorder r = new Recorder();
    d.addListener(r);
    int x = DemoPainter.COPY_BUTTON.x + 5;
    int y = DemoPainter.COPY_BUTTON.y + 5;
    d.pointer(x, y, 0);
    d.pointer(x, y, 1);
    d.pointer(x, y, 0);
    assertEquals(List.of("It is 03:04:05 on the vncgate demo desktop."), r.clipboards);
  }

  @Test
  void onlyChangedTilesAreReportedAndTheClockTicks() {
    MutableClock clock = new MutableClock();
    DemoDesktop d = new DemoDesktop(clock, new BitmapFont());
    Recorder r = new Recorder();
    d.addListener(r);
    d.tick(); // the viewer count changed
    r.damage.clear();
    d.tick();
    assertTrue(r.damage.isEmpty(), "nothing changed, nothing reported");
    clock.millis += 1000;
    d.tick();
    assertEquals(1, r.damage.size());
    BitSet tiles = r.damage.get(0);
    BitSet clockCard = new BitSet();
    for (int ty = DemoPainter.CLOCK.y / DemoDesktop.TILE; ty <= (DemoPainter.CLOCK.y + DemoPainter.CLOCK.height) / DemoDesktop.TILE; ty++) {
      for (int tx = DemoPainter.CLOCK.x / DemoDesktop.TILE; tx <= (DemoPainter.CLOCK.x + DemoPainter.CLOCK.width) / DemoDesktop.TILE; tx++) {
        clockCard.set(ty * DemoDesktop.TILES_X + tx);
      }
    }
    assertTrue(tiles.intersects(clockCard), "the clock's tiles changed: " + tiles);
    assertTrue(tiles.cardinality() < 30, "only a few tiles change each second: " + tiles.cardinality());
  }

  @Test
  void pointerTrailFadesAway() {
    MutableClock clock = new MutableClock();
    DemoDesktop d = new DemoDesktop(clock, new BitmapFont());
    d.pointer(700, 300, 0);
    d.tick();
    assertFalse(d.trail.isEmpty());
    clock.millis += DemoDesktop.TRAIL_MS + 100;
    d.tick();
    assertTrue(d.trail.isEmpty());
  }

  @Test
  void bitmapFontHasEveryPrintableAsciiGlyphAndDraws() throws Exception {
    BitmapFont f = new BitmapFont();
    for (char c = 0x20; c < 0x7f; c++) assertEquals(7, BitmapFont.glyph(c).length);
    BufferedImage img = new BufferedImage(200, 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    f.draw(g, "Hello 12:34", 0, 0, 16, Color.WHITE, true);
    g.dispose();
    int lit = 0;
    for (int y = 0; y < 40; y++) for (int x = 0; x < 200; x++) if (img.getRGB(x, y) != 0xff000000) lit++;
    assertTrue(lit > 100, "lit pixels: " + lit);
    assertEquals((11 * 6 - 1) * 2, f.width("Hello 12:34", 16, true));
  }

  @Test
  void theWholeDesktopDrawsWithTheBitmapFont() throws Exception {
    DemoDesktop d = new DemoDesktop(new MutableClock(), new BitmapFont());
    type(d, "typed with the bitmap font");
    d.clientCutText("pasted text");
    d.tick();
    BufferedImage img = new BufferedImage(DemoDesktop.WIDTH, DemoDesktop.HEIGHT, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, DemoDesktop.WIDTH, DemoDesktop.HEIGHT, d.pixels(), 0, DemoDesktop.WIDTH);
    Path out = Path.of("target", "screenshots", "demo-desktop-bitmap-font.png");
    Files.createDirectories(out.getParent());
    ImageIO.write(img, "png", out.toFile());
    assertTrue(Files.size(out) > 1000);
  }

  @Test
  void tilesMergeIntoRectangles() {
    BitSet tiles = new BitSet();
    // a 2x2 block of tiles at (1,1) and one tile at (5,0) on a 6x3 grid of 32-pixel tiles, 180 pixels wide
    tiles.set(1 * 6 + 1);
    tiles.set(1 * 6 + 2);
    tiles.set(2 * 6 + 1);
    tiles.set(2 * 6 + 2);
    tiles.set(5);
    List<int[]> rects = TileRects.of(tiles, 6, 3, 32, 180, 90);
    List<String> s = rects.stream().map(r -> r[0] + "," + r[1] + "," + r[2] + "x" + r[3]).sorted().toList();
    assertEquals(List.of("160,0,20x32", "32,32,64x58"), s);
  }

  @Test
  void pixelFormatsEncodeAsViewersAskForThem() {
    int[] px = {0x123456};
    byte[] out = new byte[4];
    // noVNC: 32 bpp little-endian, red at shift 0
    new PixelFormat(32, 24, false, 255, 255, 255, 0, 8, 16).encode(px, 1, 0, 0, 1, 1, out, 0);
    assertEquals(List.of(0x12, 0x34, 0x56, 0x00), bytes(out, 4));
    // the server's own: 32 bpp big-endian, red at shift 16
    PixelFormat.SERVER.encode(px, 1, 0, 0, 1, 1, out, 0);
    assertEquals(List.of(0x00, 0x12, 0x34, 0x56), bytes(out, 4));
    // 32 bpp big-endian, red at shift 0
    new PixelFormat(32, 24, true, 255, 255, 255, 0, 8, 16).encode(px, 1, 0, 0, 1, 1, out, 0);
    assertEquals(List.of(0x00, 0x56, 0x34, 0x12), bytes(out, 4));
    // 16 bpp RGB565 little-endian: white
    new PixelFormat(16, 16, false, 31, 63, 31, 11, 5, 0).encode(new int[] {0xffffff}, 1, 0, 0, 1, 1, out, 0);
    assertEquals(List.of(0xff, 0xff), bytes(out, 2));
  }

  private static List<Integer> bytes(byte[] b, int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(b[i] & 0xff);
    return l;
  }
}
