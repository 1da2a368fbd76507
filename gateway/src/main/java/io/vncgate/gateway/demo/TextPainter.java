package io.vncgate.gateway.demo;

import java.awt.Color;
import java.awt.Graphics2D;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws text on the demo desktop: with the JDK's fonts when they work, else with the built-in
 * bitmap font (a JDK without fontconfig fonts fails inside AWT on the first {@code drawString}).
 * Coordinates are the top-left corner of the text; {@code size} is the line height in pixels.
 */
interface TextPainter {
  Logger log = LoggerFactory.getLogger(TextPainter.class);

  void draw(Graphics2D g, String text, int x, int top, int size, Color color, boolean mono);

  int width(String text, int size, boolean mono);

  String describe();

  /** Draws text at the largest size up to {@code size} that fits in {@code maxWidth}. */
  default void drawFit(Graphics2D g, String text, int x, int top, int size, int maxWidth, Color color, boolean mono) {
    int s = size;
    while (s > 8 && width(text, s, mono) > maxWidth) s -= 2;
    draw(g, text, x, top + (size - s) / 2, s, color, mono);
  }

  /** The JDK's fonts if drawing with them works here, else the bitmap font. */
  static TextPainter choose() {
    if (Boolean.getBoolean("vncgate.demo.bitmap-font")) return new BitmapFont();
    try {
      AwtTextPainter awt = new AwtTextPainter();
      awt.selfTest();
      return awt;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      log.warn("the JDK cannot draw text here ({}); the demo desktop uses its built-in bitmap font", e.toString());
      return new BitmapFont();
    }
  }
}
