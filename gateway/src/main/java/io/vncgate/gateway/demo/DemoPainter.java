package io.vncgate.gateway.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Draws the demo desktop from its state: header, clock, keyboard echo, clipboard, pointer pad. */
final class DemoPainter {
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy", Locale.ENGLISH);

  static final Rectangle CLOCK = new Rectangle(24, 72, 470, 150);
  static final Rectangle KEYBOARD = new Rectangle(24, 238, 470, 180);
  static final Rectangle CLIPBOARD = new Rectangle(24, 434, 470, 182);
  static final Rectangle COPY_BUTTON = new Rectangle(40, 568, 300, 34);
  static final Rectangle POINTER = new Rectangle(518, 72, 482, 544);
  static final Rectangle PAD = new Rectangle(534, 112, 450, 456);

  private static final Color BACKGROUND = new Color(0x1b2230);
  private static final Color CARD = new Color(0x252e3f);
  private static final Color BORDER = new Color(0x34405a);
  private static final Color HEADING = new Color(0x8fb3ff);
  private static final Color TEXT = new Color(0xe8ecf3);
  private static final Color MUTED = new Color(0x98a4b8);
  private static final Color ACCENT = new Color(0x4f8cff);
  private static final Color GREEN = new Color(0x46c46e);
  private static final Color PAD_BG = new Color(0x161c27);
  private static final Color INK = new Color(0xffd166);
  private static final int LINE_CHARS = 36;
  private static final int KEY_LINES = 5;

  private final TextPainter text;
  private final ZoneId zone;

  DemoPainter(TextPainter text, ZoneId zone) {
    this.text = text;
    this.zone = zone;
  }

  TextPainter text() {
    return text;
  }

  void paint(Graphics2D g, DemoDesktop d, long now) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, DemoDesktop.WIDTH, DemoDesktop.HEIGHT);
    ZonedDateTime t = Instant.ofEpochMilli(now).atZone(zone);

    g.setColor(new Color(0x141a25));
    g.fillRect(0, 0, DemoDesktop.WIDTH, 52);
    text.draw(g, "vncgate demo desktop", 24, 12, 28, TEXT, false);
    String right = "an RFB server inside the gateway  |  " + d.viewers + (d.viewers == 1 ? " viewer" : " viewers");
    int rightWidth = Math.min(520, text.width(right, 18, false));
    text.drawFit(g, right, DemoDesktop.WIDTH - 24 - rightWidth, 17, 18, 520, MUTED, false);

    card(g, CLOCK, "Clock");
    text.drawFit(g, TIME.format(t), 40, 106, 72, CLOCK.width - 32, TEXT, false);
    text.draw(g, DATE.format(t), 40, 186, 20, MUTED, false);

    card(g, KEYBOARD, "Keyboard: click the desktop and type");
    List<String> lines = wrap(d.typed.toString());
    int first = Math.max(0, lines.size() - KEY_LINES);
    int y = KEYBOARD.y + 40;
    for (int i = first; i < lines.size(); i++, y += 24) {
      String line = lines.get(i);
      boolean last = i == lines.size() - 1;
      text.draw(g, line, 40, y, 20, TEXT, true);
      if (last && (now / 1000) % 2 == 0) {
        g.setColor(GREEN);
        g.fillRect(40 + text.width(line, 20, true) + 2, y + 3, 10, 16);
      }
    }
    text.drawFit(g, "Enter copies the line to the desktop clipboard; Esc clears", 40, KEYBOARD.y + KEYBOARD.height - 28, 16,
        KEYBOARD.width - 32, MUTED, false);

    card(g, CLIPBOARD, "Clipboard");
    text.draw(g, "You pasted:", 40, CLIPBOARD.y + 38, 18, MUTED, false);
    text.draw(g, preview(d.pasted, "(nothing yet: use Paste)"), 40, CLIPBOARD.y + 60, 20, TEXT, true);
    text.draw(g, "Desktop clipboard:", 40, CLIPBOARD.y + 88, 18, MUTED, false);
    text.draw(g, preview(d.desktopClipboard, "(empty)"), 40, CLIPBOARD.y + 110, 20, TEXT, true);
    g.setColor(ACCENT);
    g.fillRoundRect(COPY_BUTTON.x, COPY_BUTTON.y, COPY_BUTTON.width, COPY_BUTTON.height, 10, 10);
    text.drawFit(g, "Copy the time to the clipboard", COPY_BUTTON.x + 14, COPY_BUTTON.y + 8, 18, COPY_BUTTON.width - 28,
        Color.WHITE, false);

    card(g, POINTER, "Pointer: move it; hold the button to draw");
    g.setColor(PAD_BG);
    g.fillRect(PAD.x, PAD.y, PAD.width, PAD.height);
    g.setColor(INK);
    g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int[] s : d.ink) g.drawLine(s[0], s[1], s[2], s[3]);
    String where = d.pointerX < 0 ? "no pointer yet" : "x " + d.pointerX + "  y " + d.pointerY + "  buttons " + buttons(d.buttons);
    text.draw(g, where, PAD.x, PAD.y + PAD.height + 10, 18, MUTED, true);

    for (DemoDesktop.TrailPoint p : d.trail) {
      float age = Math.min(1f, (now - p.at()) / (float) DemoDesktop.TRAIL_MS);
      int r = Math.max(2, Math.round(9 * (1 - age)));
      g.setColor(Color.getHSBColor((p.at() % 3000) / 3000f, 0.7f, 1f - 0.6f * age));
      g.fillOval(p.x() - r, p.y() - r, 2 * r, 2 * r);
    }

    if (now < d.flashUntil) {
      int w = Math.min(DemoDesktop.WIDTH - 48, text.width(d.flash, 18, false) + 32);
      int x = (DemoDesktop.WIDTH - w) / 2;
      g.setColor(GREEN);
      g.fillRoundRect(x, DemoDesktop.HEIGHT - 44, w, 32, 12, 12);
      text.drawFit(g, d.flash, x + 16, DemoDesktop.HEIGHT - 40, 18, w - 32, new Color(0x0b1a10), false);
    }
    g.setStroke(new BasicStroke(1f));
  }

  private void card(Graphics2D g, Rectangle r, String title) {
    g.setColor(CARD);
    g.fillRoundRect(r.x, r.y, r.width, r.height, 14, 14);
    g.setColor(BORDER);
    g.drawRoundRect(r.x, r.y, r.width - 1, r.height - 1, 14, 14);
    text.drawFit(g, title, r.x + 16, r.y + 10, 18, r.width - 32, HEADING, false);
  }

  private static String buttons(int mask) {
    StringBuilder sb = new StringBuilder();
    for (int b = 0; b < 8; b++) {
      if ((mask & (1 << b)) != 0) sb.append(sb.isEmpty() ? "" : "+").append(b + 1);
    }
    return sb.isEmpty() ? "none" : sb.toString();
  }

  /** The typed text as display lines of at most LINE_CHARS characters. */
  static List<String> wrap(String s) {
    List<String> lines = new ArrayList<>();
    for (String para : s.split("\n", -1)) {
      if (para.isEmpty()) lines.add("");
      for (int i = 0; i < para.length(); i += LINE_CHARS) lines.add(para.substring(i, Math.min(para.length(), i + LINE_CHARS)));
    }
    return lines;
  }

  private static String preview(String s, String empty) {
    if (s == null || s.isEmpty()) return empty;
    String one = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    return one.length() > LINE_CHARS ? one.substring(0, LINE_CHARS - 3) + "..." : one;
  }
}
