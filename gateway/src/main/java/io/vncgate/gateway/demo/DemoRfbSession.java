package io.vncgate.gateway.demo;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vncgate.gateway.rfb.Encodings;
import io.vncgate.gateway.rfb.ServerMessageType;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer of the demo desktop: the server side of the RFB handshake (security None), then
 * client messages in, Raw framebuffer updates out. Updates answer FramebufferUpdateRequests and
 * carry the tiles that changed since the last one, so a slow viewer gets fewer, larger updates.
 */
final class DemoRfbSession implements DemoDesktop.Listener {
  private static final Logger log = LoggerFactory.getLogger(DemoRfbSession.class);
  private static final int MAX_CUT_TEXT = 1024 * 1024;

  private enum State { VERSION, SECURITY, CLIENT_INIT, MESSAGES, CLOSED }

  private final NetSocket socket;
  private final DemoDesktop desktop;
  private Buffer in = Buffer.buffer();
  private State state = State.VERSION;
  private int minor;
  private PixelFormat format = PixelFormat.SERVER;
  private final BitSet dirty = new BitSet(DemoDesktop.TILES_X * DemoDesktop.TILES_Y);
  private boolean updateRequested;
  private boolean cursorWanted;
  private boolean cursorSent;
  private boolean waitingForDrain;
  private long skipCutText;

  DemoRfbSession(NetSocket socket, DemoDesktop desktop) {
    this.socket = socket;
    this.desktop = desktop;
  }

  void start() {
    socket.handler(this::onData);
    socket.closeHandler(v -> close(null));
    socket.exceptionHandler(e -> close("connection error: " + e.getMessage()));
    socket.write(Buffer.buffer("RFB 003.008\n", "US-ASCII"));
  }

  private void onData(Buffer data) {
    in = in.length() == 0 ? data : in.appendBuffer(data);
    int pos = 0;
    try {
      int used;
      while (state != State.CLOSED && (used = step(pos)) > 0) pos += used;
    } catch (IllegalArgumentException e) {
      close(e.getMessage());
      return;
    }
    in = pos >= in.length() ? Buffer.buffer() : in.getBuffer(pos, in.length());
  }

  /** Consumes one whole handshake step or message at {@code p}; 0 when more bytes are needed. */
  private int step(int p) {
    int n = in.length() - p;
    if (skipCutText > 0) {
      int k = (int) Math.min(skipCutText, n);
      skipCutText -= k;
      return k;
    }
    switch (state) {
      case VERSION -> {
        if (n < 12) return 0;
        String v = in.getString(p, p + 12, "US-ASCII");
        if (!v.matches("RFB 003\\.\\d{3}\n")) throw new IllegalArgumentException("not an RFB 3.x client: " + v.strip());
        minor = Integer.parseInt(v.substring(8, 11));
        if (minor >= 7) {
          socket.write(Buffer.buffer(new byte[] {1, 1})); // one security type: None
          state = State.SECURITY;
        } else {
          socket.write(Buffer.buffer().appendInt(1)); // 3.3: the server picks None
          state = State.CLIENT_INIT;
        }
        return 12;
      }
      case SECURITY -> {
        if (n < 1) return 0;
        if (in.getUnsignedByte(p) != 1) throw new IllegalArgumentException("the viewer chose a security type other than None");
        if (minor >= 8) socket.write(Buffer.buffer().appendInt(0));
        state = State.CLIENT_INIT;
        return 1;
      }
      case CLIENT_INIT -> {
        if (n < 1) return 0;
        Buffer init = Buffer.buffer().appendUnsignedShort(DemoDesktop.WIDTH).appendUnsignedShort(DemoDesktop.HEIGHT);
        format.write(init);
        byte[] name = DemoRfbServer.NAME.getBytes(StandardCharsets.UTF_8);
        socket.write(init.appendInt(name.length).appendBytes(name));
        state = State.MESSAGES;
        dirty.set(0, DemoDesktop.TILES_X * DemoDesktop.TILES_Y);
        desktop.addListener(this);
        log.debug("demo viewer {} connected", socket.remoteAddress());
        return 1;
      }
      case MESSAGES -> {
        return n < 1 ? 0 : message(p, n);
      }
      default -> {
        return 0;
      }
    }
  }

  private int message(int p, int n) {
    int type = in.getUnsignedByte(p);
    switch (type) {
      case 0 -> { // SetPixelFormat
        if (n < 20) return 0;
        format = PixelFormat.read(in, p + 4);
        cursorSent = false;
        markAll();
        return 20;
      }
      case 2 -> { // SetEncodings
        if (n < 4) return 0;
        int count = in.getUnsignedShort(p + 2);
        if (n < 4 + 4 * count) return 0;
        cursorWanted = false;
        for (int i = 0; i < count; i++) {
          if (in.getInt(p + 4 + 4 * i) == Encodings.CURSOR) cursorWanted = true;
        }
        cursorSent = false;
        return 4 + 4 * count;
      }
      case 3 -> { // FramebufferUpdateRequest
        if (n < 10) return 0;
        if (in.getUnsignedByte(p + 1) == 0) markAll();
        updateRequested = true;
        flush();
        return 10;
      }
      case 4 -> { // KeyEvent
        if (n < 8) return 0;
        desktop.key(in.getUnsignedInt(p + 4), in.getUnsignedByte(p + 1) != 0);
        return 8;
      }
      case 5 -> { // PointerEvent
        if (n < 6) return 0;
        desktop.pointer(in.getUnsignedShort(p + 2), in.getUnsignedShort(p + 4), in.getUnsignedByte(p + 1));
        return 6;
      }
      case 6 -> { // ClientCutText (classic Latin-1; extended clipboard is never offered)
        if (n < 8) return 0;
        long len = Math.abs((long) in.getInt(p + 4));
        if (len > MAX_CUT_TEXT) {
          log.info("demo viewer pasted {} bytes; more than {} are not shown", len, MAX_CUT_TEXT);
          skipCutText = len;
          return 8;
        }
        if (n < 8 + len) return 0;
        desktop.clientCutText(in.getString(p + 8, p + 8 + (int) len, "ISO-8859-1"));
        return 8 + (int) len;
      }
      case 150 -> { // EnableContinuousUpdates: never offered, ignored
        return n < 10 ? 0 : 10;
      }
      case 248 -> { // ClientFence: never offered, ignored
        if (n < 9) return 0;
        int len = in.getUnsignedByte(p + 8);
        return n < 9 + len ? 0 : 9 + len;
      }
      case 250 -> { // xvp: nothing to power off here
        return n < 4 ? 0 : 4;
      }
      case 251 -> { // SetDesktopSize: the demo desktop has one size
        if (n < 8) return 0;
        int screens = in.getUnsignedByte(p + 6);
        return n < 8 + 16 * screens ? 0 : 8 + 16 * screens;
      }
      case 255 -> { // QEMU: extended key event (subtype 0), audio (1)
        if (n < 2) return 0;
        int sub = in.getUnsignedByte(p + 1);
        if (sub == 0) {
          if (n < 12) return 0;
          desktop.key(in.getUnsignedInt(p + 4), in.getUnsignedShort(p + 2) != 0);
          return 12;
        }
        if (n < 4) return 0;
        return in.getUnsignedShort(p + 2) == 2 ? (n < 10 ? 0 : 10) : 4;
      }
      default -> throw new IllegalArgumentException("unknown client message type " + type);
    }
  }

  private void markAll() {
    dirty.set(0, DemoDesktop.TILES_X * DemoDesktop.TILES_Y);
  }

  @Override
  public void damaged(BitSet tiles) {
    dirty.or(tiles);
    flush();
  }

  @Override
  public void clipboard(String text) {
    if (state != State.MESSAGES) return;
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    socket.write(Buffer.buffer().appendByte((byte) ServerMessageType.SERVER_CUT_TEXT).appendBytes(new byte[3]).appendInt(bytes.length).appendBytes(bytes));
  }

  /** Sends the dirty tiles if the viewer asked for an update and the socket can take it. */
  private void flush() {
    if (state != State.MESSAGES || !updateRequested || waitingForDrain) return;
    boolean cursor = cursorWanted && !cursorSent;
    if (dirty.isEmpty() && !cursor) return;
    if (socket.writeQueueFull()) {
      waitingForDrain = true;
      socket.drainHandler(v -> {
        waitingForDrain = false;
        flush();
      });
      return;
    }
    List<int[]> rects = TileRects.of(dirty, DemoDesktop.TILES_X, DemoDesktop.TILES_Y, DemoDesktop.TILE,
        DemoDesktop.WIDTH, DemoDesktop.HEIGHT);
    dirty.clear();
    updateRequested = false;
    int bpp = format.bytesPerPixel();
    int size = 4;
    for (int[] r : rects) size += 12 + r[2] * r[3] * bpp;
    byte[] cursorBytes = cursor ? DemoCursor.encode(format) : null;
    if (cursor) size += 12 + cursorBytes.length;
    byte[] out = new byte[size];
    int pos = 0;
    out[pos++] = ServerMessageType.FRAMEBUFFER_UPDATE;
    out[pos++] = 0;
    pos = u16(out, pos, rects.size() + (cursor ? 1 : 0));
    if (cursor) {
      pos = rectHeader(out, pos, DemoCursor.HOT_X, DemoCursor.HOT_Y, DemoCursor.WIDTH, DemoCursor.HEIGHT, Encodings.CURSOR);
      System.arraycopy(cursorBytes, 0, out, pos, cursorBytes.length);
      pos += cursorBytes.length;
      cursorSent = true;
    }
    int[] pixels = desktop.pixels();
    for (int[] r : rects) {
      pos = rectHeader(out, pos, r[0], r[1], r[2], r[3], Encodings.RAW);
      pos = format.encode(pixels, DemoDesktop.WIDTH, r[0], r[1], r[2], r[3], out, pos);
    }
    socket.write(Buffer.buffer(out));
  }

  private static int rectHeader(byte[] out, int pos, int x, int y, int w, int h, int encoding) {
    pos = u16(out, pos, x);
    pos = u16(out, pos, y);
    pos = u16(out, pos, w);
    pos = u16(out, pos, h);
    out[pos++] = (byte) (encoding >>> 24);
    out[pos++] = (byte) (encoding >>> 16);
    out[pos++] = (byte) (encoding >>> 8);
    out[pos++] = (byte) encoding;
    return pos;
  }

  private static int u16(byte[] out, int pos, int v) {
    out[pos++] = (byte) (v >>> 8);
    out[pos++] = (byte) v;
    return pos;
  }

  private void close(String why) {
    if (state == State.CLOSED) return;
    boolean joined = state == State.MESSAGES;
    state = State.CLOSED;
    if (joined) desktop.removeListener(this);
    if (why != null) {
      log.info("demo viewer {} closed: {}", socket.remoteAddress(), why);
      socket.close();
    }
  }
}
