package io.vncgate.gateway.demo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The fallback text painter: 5x7 glyphs from {@code font5x7.txt}, scaled by whole pixels and drawn
 * with {@code fillRect}, which needs no font machinery at all.
 */
final class BitmapFont implements TextPainter {
  static final int GLYPH_W = 5;
  static final int GLYPH_H = 7;
  /** Glyphs drawn two rows lower: their art starts at the x-height. */
  private static final String DESCENDERS = "gjpqy";
  /** A text line: 7 rows, 2 descender rows, 1 row of spacing. */
  static final int LINE_ROWS = 10;
  private static final int FIRST = 0x20;
  private static final int LAST = 0x7e;
  /** Per glyph, 7 rows of 5 bits (bit 4 = leftmost pixel). */
  private static final int[][] GLYPHS = load();

  private static int[][] load() {
    int[][] glyphs = new int[LAST - FIRST + 1][];
    try (InputStream in = BitmapFont.class.getResourceAsStream("font5x7.txt")) {
      if (in == null) throw new IllegalStateException("font5x7.txt is missing from the jar");
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.startsWith("U+")) continue;
        int cp = Integer.parseInt(line.substring(2, 6), 16);
        int[] rows = new int[GLYPH_H];
        for (int i = 0; i < GLYPH_H; i++) {
          String row = r.readLine();
          for (int c = 0; c < GLYPH_W; c++) {
            if (row.charAt(c) == '#') rows[i] |= 1 << (GLYPH_W - 1 - c);
          }
        }
        if (cp >= FIRST && cp <= LAST) glyphs[cp - FIRST] = rows;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < glyphs.length; i++) {
      if (glyphs[i] == null) throw new IllegalStateException("font5x7.txt has no glyph for U+" + Integer.toHexString(FIRST + i));
    }
    return glyphs;
  }

  /** Pixels per font pixel for a line height of {@code size} pixels. */
  static int scale(int size) {
    return Math.max(1, Math.round(size / (float) (LINE_ROWS - 1)));
  }

  static int[] glyph(char c) {
    return c >= FIRST && c <= LAST ? GLYPHS[c - FIRST] : GLYPHS['?' - FIRST];
  }

  @Override
  public void draw(Graphics2D g, String text, int x, int top, int size, Color color, boolean mono) {
    int s = scale(size);
    int y0 = top + Math.max(0, (size - (LINE_ROWS - 1) * s) / 2);
    g.setColor(color);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int[] rows = glyph(c);
      int gx = x + i * (GLYPH_W + 1) * s;
      int gy = y0 + (DESCENDERS.indexOf(c) >= 0 ? 2 * s : 0);
      for (int row = 0; row < GLYPH_H; row++) {
        for (int col = 0; col < GLYPH_W; col++) {
          if ((rows[row] & (1 << (GLYPH_W - 1 - col))) != 0) g.fillRect(gx + col * s, gy + row * s, s, s);
        }
      }
    }
  }

  @Override
  public int width(String text, int size, boolean mono) {
    return text.isEmpty() ? 0 : (text.length() * (GLYPH_W + 1) - 1) * scale(size);
  }

  @Override
  public String describe() {
    return "built-in bitmap font";
  }
}
