package io.vncgate.gateway.demo;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo desktop's state and framebuffer: a clock, the keys viewers type, a pointer trail and
 * ink pad, and a clipboard both ways. Input changes the state; {@link #tick} repaints the whole
 * picture when something changed and reports the 32×32 tiles that differ from the last frame to
 * every listener (one per connected viewer). Single-threaded: call everything on one event loop.
 */
final class DemoDesktop {
  static final int WIDTH = 1024;
  static final int HEIGHT = 640;
  static final int TILE = 32;
  static final int TILES_X = (WIDTH + TILE - 1) / TILE;
  static final int TILES_Y = (HEIGHT + TILE - 1) / TILE;
  static final long TRAIL_MS = 1500;
  static final int MAX_TYPED = 2000;
  static final int MAX_INK = 4000;

  /** A viewer's view of the desktop: damaged tiles and clipboard changes. */
  interface Listener {
    void damaged(BitSet tiles);

    void clipboard(String text);
  }

  record TrailPoint(int x, int y, long at) {}

  private final Clock clock;
  private final DemoPainter painter;
  private final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
  private final int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
  private final int[] shown = new int[WIDTH * HEIGHT];
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  // state the painter draws
  final StringBuilder typed = new StringBuilder();
  final ArrayDeque<TrailPoint> trail = new ArrayDeque<>();
  final List<int[]> ink = new ArrayList<>();
  String pasted = "";
  String desktopClipboard = "";
  String flash = "";
  long flashUntil;
  int pointerX = -1;
  int pointerY = -1;
  int buttons;
  int viewers;

  private boolean changed = true;
  private long lastSecond = -1;
  private boolean control;
  private boolean alt;
  private boolean superKey;
  private boolean shift;

  DemoDesktop(Clock clock, TextPainter text) {
    this.clock = clock;
    this.painter = new DemoPainter(text, clock.getZone());
    render(clock.millis());
  }

  int[] pixels() {
    return pixels;
  }

  void addListener(Listener l) {
    listeners.add(l);
    viewers = listeners.size();
    changed = true;
  }

  void removeListener(Listener l) {
    listeners.remove(l);
    viewers = listeners.size();
    changed = true;
  }

  /** Called every 50 ms or so: repaints when the state, the second or an animation changed. */
  void tick() {
    long now = clock.millis();
    while (!trail.isEmpty() && now - trail.peekFirst().at() > TRAIL_MS) trail.removeFirst();
    boolean animating = !trail.isEmpty() || (flashUntil > 0 && now < flashUntil + 100);
    if (changed || now / 1000 != lastSecond || animating) render(now);
  }

  private void render(long now) {
    changed = false;
    lastSecond = now / 1000;
    Graphics2D g = image.createGraphics();
    try {
      painter.paint(g, this, now);
    } finally {
      g.dispose();
    }
    BitSet damaged = new BitSet(TILES_X * TILES_Y);
    for (int ty = 0; ty < TILES_Y; ty++) {
      int y1 = Math.min(HEIGHT, (ty + 1) * TILE);
      for (int tx = 0; tx < TILES_X; tx++) {
        int x0 = tx * TILE;
        int w = Math.min(WIDTH, x0 + TILE) - x0;
        for (int y = ty * TILE; y < y1; y++) {
          int i = y * WIDTH + x0;
          if (!Arrays.equals(pixels, i, i + w, shown, i, i + w)) {
            damaged.set(ty * TILES_X + tx);
            for (int yy = y; yy < y1; yy++) System.arraycopy(pixels, yy * WIDTH + x0, shown, yy * WIDTH + x0, w);
            break;
          }
        }
      }
    }
    if (!damaged.isEmpty()) {
      for (Listener l : listeners) l.damaged(damaged);
    }
  }

  // ----- input from viewers -----

  void key(long keysym, boolean down) {
    int k = (int) keysym;
    switch (k) {
      case 0xffe3, 0xffe4 -> control = down;
      case 0xffe9, 0xffea, 0xffe7, 0xffe8 -> alt = down;
      case 0xffeb, 0xffec -> superKey = down;
      case 0xffe1, 0xffe2 -> shift = down;
      default -> {
        if (down) keyPressed(k);
      }
    }
  }

  private void keyPressed(int k) {
    changed = true;
    if ((control || superKey) && (k == 'v' || k == 'V') || shift && k == 0xff63) {
      append(pasted);
      showFlash("pasted " + pasted.length() + " characters from your clipboard");
    } else if (control && alt && (k == 0xffff || k == 0xff9f)) {
      showFlash("Ctrl-Alt-Del received (nothing to restart here)");
    } else if (control || alt || superKey) {
      return; // other shortcuts: nothing to type
    } else if (k == 0xff0d || k == 0xff8d) {
      String line = currentLine();
      if (!line.isBlank()) setDesktopClipboard(line.strip());
      append("\n");
    } else if (k == 0xff08) {
      if (!typed.isEmpty()) typed.setLength(typed.length() - 1);
    } else if (k == 0xff1b) {
      typed.setLength(0);
      ink.clear();
    } else if (k == 0xff09) {
      append("    ");
    } else {
      int cp = keysymToCodePoint(k);
      if (cp > 0) append(new String(Character.toChars(cp)));
    }
  }

  /** Latin-1 keysyms are their code point; 0x01000000 + cp is Unicode; others are not text. */
  static int keysymToCodePoint(int keysym) {
    if (keysym >= 0x20 && keysym <= 0x7e || keysym >= 0xa0 && keysym <= 0xff) return keysym;
    if (keysym >= 0x01000100 && keysym <= 0x0110ffff) return keysym & 0x00ffffff;
    return -1;
  }

  private String currentLine() {
    int nl = typed.lastIndexOf("\n");
    return typed.substring(nl + 1);
  }

  private void append(String s) {
    typed.append(s.replace("\r\n", "\n").replace('\r', '\n'));
    if (typed.length() > MAX_TYPED) typed.delete(0, typed.length() - MAX_TYPED);
  }

  void pointer(int x, int y, int mask) {
    long now = clock.millis();
    boolean pressed = (mask & 1) != 0 && (buttons & 1) == 0;
    if (pressed && DemoPainter.COPY_BUTTON.contains(x, y)) {
      String time = DemoPainter.TIME.format(clock.instant().atZone(clock.getZone()));
      setDesktopClipboard("It is " + time + " on the vncgate demo desktop.");
    }
    if ((mask & 1) != 0 && (buttons & 1) != 0 && DemoPainter.PAD.contains(x, y) && DemoPainter.PAD.contains(pointerX, pointerY)) {
      ink.add(new int[] {pointerX, pointerY, x, y});
      if (ink.size() > MAX_INK) ink.remove(0);
    }
    pointerX = x;
    pointerY = y;
    buttons = mask;
    trail.addLast(new TrailPoint(x, y, now));
    if (trail.size() > 200) trail.removeFirst();
    changed = true;
  }

  /** A viewer pasted (ClientCutText): shown, and typed on Ctrl+V. */
  void clientCutText(String text) {
    pasted = text;
    changed = true;
  }

  void setDesktopClipboard(String text) {
    desktopClipboard = text;
    changed = true;
    showFlash("copied to the desktop clipboard: viewers can copy it now");
    for (Listener l : listeners) l.clipboard(text);
  }

  private void showFlash(String text) {
    flash = text;
    flashUntil = clock.millis() + 3000;
  }
}
