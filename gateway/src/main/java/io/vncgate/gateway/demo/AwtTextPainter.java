package io.vncgate.gateway.demo;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

/** Text with the JDK's logical fonts (SansSerif, Monospaced), antialiased. */
final class AwtTextPainter implements TextPainter {
  private final Map<Integer, Font> fonts = new HashMap<>();
  private final Map<Font, FontMetrics> metrics = new HashMap<>();
  private final Graphics2D measure = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();

  private Font font(int size, boolean mono) {
    // the font's pixel size is about 3/4 of the line height
    int key = size * 2 + (mono ? 1 : 0);
    return fonts.computeIfAbsent(key, k -> new Font(mono ? Font.MONOSPACED : Font.SANS_SERIF,
        mono ? Font.PLAIN : Font.BOLD, Math.max(6, Math.round(size * 0.75f))));
  }

  private FontMetrics metrics(Font f) {
    return metrics.computeIfAbsent(f, measure::getFontMetrics);
  }

  @Override
  public void draw(Graphics2D g, String text, int x, int top, int size, Color color, boolean mono) {
    Font f = font(size, mono);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(f);
    g.setColor(color);
    FontMetrics m = metrics(f);
    int baseline = top + (size - (m.getAscent() + m.getDescent())) / 2 + m.getAscent();
    g.drawString(text, x, baseline);
  }

  @Override
  public int width(String text, int size, boolean mono) {
    return metrics(font(size, mono)).stringWidth(text);
  }

  @Override
  public String describe() {
    return "JDK fonts";
  }

  /** Throws (often an Error from inside AWT) when fonts do not work in this JDK; checks pixels were drawn. */
  void selfTest() {
    BufferedImage img = new BufferedImage(80, 24, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      draw(g, "Ag 12:34", 2, 2, 20, Color.WHITE, false);
      draw(g, "Ag", 50, 2, 20, Color.WHITE, true);
    } finally {
      g.dispose();
    }
    int lit = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) != 0) lit++;
      }
    }
    if (lit < 20) throw new IllegalStateException("drawString drew " + lit + " pixels");
  }
}
