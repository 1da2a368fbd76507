package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The viewer side of RFB 3.8 for the benchmark: handshake (None, or VNC authentication with a
 * password), then FramebufferUpdates parsed header by header with Raw pixel data skipped, never
 * copied. It reports each complete update to its {@link Listener}. Runs on one event loop.
 */
final class RfbViewer implements LinkEnd {

  /** Told, on the viewer's event loop, of every complete FramebufferUpdate. */
  interface Listener {
    void update(RfbViewer viewer, long bytes);
  }

  /** Where a viewer may hang up on purpose during the handshake (the soak's dropped viewers). */
  enum HangUp {
    /** Never: the handshake runs to the end. */
    NEVER,
    /** On the server's banner, before answering it. */
    AT_BANNER,
    /** On SecurityResult OK, before ClientInit. */
    AFTER_SECURITY,
    /** Right after sending ClientInit, before ServerInit. */
    AFTER_CLIENT_INIT
  }

  private enum State {
    VERSION, SECURITY_COUNT, SECURITY_TYPES, SECURITY_TYPE_3_3, CHALLENGE, SECURITY_RESULT, REASON_LENGTH, REASON,
    SERVER_INIT, NAME, MESSAGE_TYPE, UPDATE_HEADER, RECT_HEADER, ZRLE_LENGTH, COPY_RECT, RECT_PIXELS, RECT_DATA, CUT_TEXT_HEADER,
    CUT_TEXT, FAILED
  }

  private static final byte[] VERSION_3_8 = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  private static final String VERSION_3_3 = "RFB 003.003\n";
  private static final int NONE = 1;
  private static final int VNC_AUTH = 2;
  /** Encoding numbers the viewer can skip: Raw (pixels, size from the rectangle) and ZRLE (length-prefixed). */
  static final int RAW = 0;
  /** CopyRect: the source's position, 4 bytes; applied to the picture when the viewer decodes. */
  static final int COPY_RECT = 1;
  static final int ZRLE = 16;

  private final String password;
  private final Promise<Void> ready = Promise.promise();
  private final Promise<String> closed = Promise.promise();
  private final Gather gather = new Gather();
  private ViewerLink link;
  private Listener listener = (v, b) -> { };
  private HangUp hangUp = HangUp.NEVER;
  private int[] encodings = {RAW};
  private boolean decode;
  private Pixels pixels;
  private int rectX;
  private int rectY;
  private int rectW;
  private int rectH;
  private int rectEncoding;
  private volatile long zrleRects;
  private volatile long copyRects;
  private boolean hungUp;
  private State state = State.VERSION;
  private int need = 12;
  private int width;
  private int height;
  private int bytesPerPixel;
  private int rectsLeft;
  private long pixelsLeft;
  private long updateBytes;
  private volatile long received;

  /** @param password the VNC password (a vncgate ticket on its TCP front), or null for security type None */
  RfbViewer(String password) {
    this.password = password;
  }

  @Override
  public void attach(ViewerLink link) {
    this.link = link;
  }

  void listener(Listener listener) {
    this.listener = listener;
  }

  /**
   * The encodings of its SetEncodings, in order of preference (before connecting); Raw alone by
   * default. {@link #ZRLE} first is what a real viewer of a real desktop asks for (a blank
   * screen is a few hundred bytes instead of megabytes); its data is skipped by its length.
   */
  void encodings(int... preferred) {
    for (int e : preferred) {
      if (e != RAW && e != ZRLE && e != COPY_RECT) throw new IllegalArgumentException("encoding " + e + " is not read by the bench viewer");
    }
    this.encodings = preferred.clone();
  }

  /**
   * Keep a copy of the screen: Raw and ZRLE rectangles are decoded instead of skipped (before
   * connecting), so {@link #pixel} can tell what the viewer sees. Costs CPU: for one viewer of many.
   */
  void decode() {
    this.decode = true;
  }

  /** The pixel at x, y as last decoded (with {@link #decode()}); read on the viewer's event loop. */
  int pixel(int x, int y) {
    return pixels.at(x, y);
  }

  /** Hang up at this point of the handshake instead of going on (before connecting). */
  void hangUp(HangUp when) {
    this.hangUp = when;
  }

  /** True when the viewer hung up as told by {@link #hangUp(HangUp)}, not for any other reason. */
  boolean hungUp() {
    return hungUp;
  }

  /** Completes after ServerInit; fails with the server's or the link's reason. */
  Future<Void> ready() {
    return ready.future();
  }

  /** Completes, with the reason, when the connection ends. */
  Future<String> closed() {
    return closed.future();
  }

  boolean isOpen() {
    return !closed.future().isComplete();
  }

  /** Every RFB byte received so far (read from any thread). */
  long received() {
    return received;
  }

  /** CopyRect rectangles received so far. */
  long copyRectangles() {
    return copyRects;
  }

  /** ZRLE rectangles received so far. */
  long zrleRectangles() {
    return zrleRects;
  }

  int width() {
    return width;
  }

  int height() {
    return height;
  }

  /** FramebufferUpdateRequest, non-incremental, for the whole screen: answered with one large update. */
  void requestFullScreen() {
    link.write(Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) 0).appendInt(0)
        .appendUnsignedShort(width).appendUnsignedShort(height));
  }

  /** FramebufferUpdateRequest, incremental, for the whole screen: answered with what changed. */
  void requestIncremental() {
    link.write(Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) 1).appendInt(0)
        .appendUnsignedShort(width).appendUnsignedShort(height));
  }

  /** KeyEvent: a press then a release of {@code keysym}. */
  void key(int keysym) {
    link.write(Buffer.buffer(16)
        .appendByte((byte) 4).appendByte((byte) 1).appendShort((short) 0).appendInt(keysym)
        .appendByte((byte) 4).appendByte((byte) 0).appendShort((short) 0).appendInt(keysym));
  }

  /** One KeyEvent: {@code keysym} pressed ({@code down}) or released; the synthetic server answers each with a 1×1 update. */
  void keyEvent(int keysym, boolean down) {
    link.write(Buffer.buffer(8).appendByte((byte) 4).appendByte((byte) (down ? 1 : 0)).appendShort((short) 0).appendInt(keysym));
  }

  /** PointerEvent: the pointer at x, y, no button down. */
  void pointer(int x, int y) {
    link.write(Buffer.buffer(6).appendByte((byte) 5).appendByte((byte) 0).appendUnsignedShort(x).appendUnsignedShort(y));
  }

  /**
   * The round trip's request: an incremental FramebufferUpdateRequest for one pixel, answered by
   * the synthetic server with a 1×1 update. A message every role may send (in a shared session
   * all but the controller are observers, whose key and pointer events the gateway drops).
   */
  void ping() {
    link.write(Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) 1).appendInt(0)
        .appendUnsignedShort(1).appendUnsignedShort(1));
  }

  void close() {
    if (link != null) link.close();
  }

  @Override
  public void linkClosed(String reason) {
    ready.tryFail(reason);
    closed.tryComplete(reason);
  }

  /** Bytes from the server, consumed whole (split headers are kept until the rest comes). */
  @Override
  public void feed(ByteBuf in) {
    received += in.readableBytes();
    while (in.isReadable() && state != State.FAILED) {
      if (state == State.RECT_PIXELS) {
        int k = (int) Math.min(pixelsLeft, in.readableBytes());
        in.skipBytes(k);
        pixelsLeft -= k;
        updateBytes += k;
        if (pixelsLeft == 0) rectDone();
        continue;
      }
      ByteBuf b = gather.take(in, need);
      if (b == null) return;
      step(b);
      gather.done(b);
    }
  }

  /** Reads exactly {@link #need} bytes of the current step from {@code b}. */
  private void step(ByteBuf b) {
    switch (state) {
      case VERSION -> {
        byte[] banner = new byte[12];
        b.readBytes(banner);
        if (!new String(banner, StandardCharsets.US_ASCII).startsWith("RFB 003.")) {
          fail("not an RFB server: " + new String(banner, StandardCharsets.US_ASCII).trim());
          return;
        }
        if (hangUpAt(HangUp.AT_BANNER)) return;
        if (new String(banner, StandardCharsets.US_ASCII).equals(VERSION_3_3)) {
          // RFB 3.3: the server picks the security type; TigerVNC refuses a blacklisted address this way
          link.write(Buffer.buffer(VERSION_3_3));
          expect(State.SECURITY_TYPE_3_3, 4);
          return;
        }
        link.write(Buffer.buffer(VERSION_3_8));
        expect(State.SECURITY_COUNT, 1);
      }
      case SECURITY_TYPE_3_3 -> {
        int type = b.readInt();
        if (type == 0) {
          expect(State.REASON_LENGTH, 4);
        } else if (type == VNC_AUTH && password != null) {
          expect(State.CHALLENGE, 16);
        } else {
          fail("RFB 3.3 server chose security type " + type);
        }
      }
      case SECURITY_COUNT -> {
        int n = b.readUnsignedByte();
        if (n == 0) expect(State.REASON_LENGTH, 4);
        else expect(State.SECURITY_TYPES, n);
      }
      case SECURITY_TYPES -> securityTypes(b);
      case CHALLENGE -> {
        byte[] challenge = new byte[16];
        b.readBytes(challenge);
        link.write(Buffer.buffer(vncResponse(challenge, password)));
        expect(State.SECURITY_RESULT, 4);
      }
      case SECURITY_RESULT -> {
        if (b.readInt() != 0) {
          expect(State.REASON_LENGTH, 4);
          return;
        }
        if (hangUpAt(HangUp.AFTER_SECURITY)) return;
        link.write(Buffer.buffer(new byte[] {1})); // ClientInit, shared
        expect(State.SERVER_INIT, 24);
        hangUpAt(HangUp.AFTER_CLIENT_INIT);
      }
      case REASON_LENGTH -> {
        int n = b.readInt();
        if (n <= 0 || n > 4096) fail("refused without a reason");
        else expect(State.REASON, n);
      }
      case REASON -> {
        byte[] reason = new byte[need];
        b.readBytes(reason);
        fail("refused: " + new String(reason, StandardCharsets.UTF_8));
      }
      case SERVER_INIT -> serverInit(b);
      case NAME -> {
        b.skipBytes(need);
        relaying();
      }
      case MESSAGE_TYPE -> {
        int type = b.readUnsignedByte();
        if (type == 2) return; // Bell
        if (type == 3) { // ServerCutText
          expect(State.CUT_TEXT_HEADER, 7);
          return;
        }
        if (type != 0) {
          fail("unexpected server message type " + type);
          return;
        }
        updateBytes = 1;
        expect(State.UPDATE_HEADER, 3);
      }
      case UPDATE_HEADER -> {
        b.skipBytes(1);
        rectsLeft = b.readUnsignedShort();
        updateBytes += 3;
        if (rectsLeft == 0) updateDone();
        else expect(State.RECT_HEADER, 12);
      }
      case RECT_HEADER -> {
        rectX = b.readUnsignedShort();
        rectY = b.readUnsignedShort();
        rectW = b.readUnsignedShort();
        rectH = b.readUnsignedShort();
        rectEncoding = b.readInt();
        updateBytes += 12;
        if (rectEncoding == ZRLE && accepts(ZRLE)) {
          zrleRects++;
          expect(State.ZRLE_LENGTH, 4);
          return;
        }
        if (rectEncoding == COPY_RECT && accepts(COPY_RECT)) {
          copyRects++;
          expect(State.COPY_RECT, 4);
          return;
        }
        if (rectEncoding != RAW) {
          fail("unexpected encoding " + rectEncoding);
          return;
        }
        data((long) rectW * rectH * bytesPerPixel);
      }
      case COPY_RECT -> {
        int srcX = b.readUnsignedShort();
        int srcY = b.readUnsignedShort();
        updateBytes += 4;
        if (pixels != null) pixels.copy(srcX, srcY, rectX, rectY, rectW, rectH);
        rectDone();
      }
      case ZRLE_LENGTH -> {
        long length = b.readUnsignedInt();
        updateBytes += 4;
        data(length);
      }
      case RECT_DATA -> {
        if (rectEncoding == RAW) pixels.raw(b, rectX, rectY, rectW, rectH);
        else pixels.zrle(b, need, rectX, rectY, rectW, rectH);
        updateBytes += need;
        rectDone();
      }
      case CUT_TEXT_HEADER -> {
        b.skipBytes(3);
        long length = b.readUnsignedInt();
        if (length > 1 << 20) fail("server cut text of " + length + " bytes");
        else if (length == 0) expect(State.MESSAGE_TYPE, 1);
        else expect(State.CUT_TEXT, (int) length);
      }
      case CUT_TEXT -> {
        b.skipBytes(need);
        expect(State.MESSAGE_TYPE, 1);
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void securityTypes(ByteBuf b) {
    boolean none = false;
    boolean vnc = false;
    for (int i = 0; i < need; i++) {
      int t = b.readUnsignedByte();
      none |= t == NONE;
      vnc |= t == VNC_AUTH;
    }
    if (password != null && vnc) {
      link.write(Buffer.buffer(new byte[] {VNC_AUTH}));
      expect(State.CHALLENGE, 16);
    } else if (password == null && none) {
      link.write(Buffer.buffer(new byte[] {NONE}));
      expect(State.SECURITY_RESULT, 4);
    } else {
      fail("no usable security type offered");
    }
  }

  private void serverInit(ByteBuf b) {
    width = b.readUnsignedShort();
    height = b.readUnsignedShort();
    bytesPerPixel = b.readUnsignedByte() / 8;
    b.skipBytes(3); // depth, big-endian, true colour
    long redMax = b.readUnsignedShort();
    long greenMax = b.readUnsignedShort();
    long blueMax = b.readUnsignedShort();
    long mask = redMax << b.readUnsignedByte();
    mask |= greenMax << b.readUnsignedByte();
    mask |= blueMax << b.readUnsignedByte();
    b.skipBytes(3);
    if (decode) {
      if (bytesPerPixel != 4) {
        fail("the viewer decodes 32 bpp only, the server has " + 8 * bytesPerPixel);
        return;
      }
      pixels = new Pixels(width, height, mask);
    }
    int nameLength = b.readInt();
    if (nameLength > 0) {
      expect(State.NAME, nameLength);
    } else {
      relaying();
    }
  }

  /** After ServerInit: SetEncodings (Raw unless told otherwise) as every viewer sends, then report ready. */
  private void relaying() {
    Buffer set = Buffer.buffer(4 + 4 * encodings.length).appendByte((byte) 2).appendByte((byte) 0)
        .appendUnsignedShort(encodings.length);
    for (int e : encodings) set.appendInt(e);
    link.write(set);
    expect(State.MESSAGE_TYPE, 1);
    ready.tryComplete();
  }

  /** The rectangle's data: decoded whole with {@link #decode()}, else skipped as it comes. */
  private void data(long bytes) {
    if (pixels != null && bytes > 0) {
      if (bytes > Integer.MAX_VALUE) {
        fail("a rectangle of " + bytes + " bytes");
        return;
      }
      expect(State.RECT_DATA, (int) bytes);
      return;
    }
    skip(bytes);
  }

  /** The rectangle's data: skipped as it comes. */
  private void skip(long bytes) {
    pixelsLeft = bytes;
    state = State.RECT_PIXELS;
    if (pixelsLeft == 0) rectDone();
  }

  private boolean accepts(int encoding) {
    for (int e : encodings) {
      if (e == encoding) return true;
    }
    return false;
  }

  private void rectDone() {
    if (--rectsLeft == 0) {
      updateDone();
    } else {
      expect(State.RECT_HEADER, 12);
    }
  }

  private void updateDone() {
    expect(State.MESSAGE_TYPE, 1);
    listener.update(this, updateBytes);
  }

  private void expect(State next, int bytes) {
    state = next;
    need = bytes;
  }

  /** Hangs up if told to at {@code point}; true if it did. */
  private boolean hangUpAt(HangUp point) {
    if (hangUp != point) return false;
    hungUp = true;
    fail("hung up " + point.name().toLowerCase().replace('_', ' ') + " (on purpose)");
    return true;
  }

  private void fail(String why) {
    state = State.FAILED;
    ready.tryFail(why);
    closed.tryComplete(why);
    if (link != null) link.close();
  }

  /** VNC authentication: DES/ECB of the challenge, key = the password's first 8 bytes, each bit-reversed. */
  static byte[] vncResponse(byte[] challenge, String password) {
    byte[] key = new byte[8];
    byte[] pw = password.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < Math.min(8, pw.length); i++) {
      key[i] = (byte) (Integer.reverse(pw[i] & 0xFF) >>> 24);
    }
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
      return des.doFinal(challenge);
    } catch (Exception e) {
      throw new IllegalStateException("DES is not available", e);
    }
  }
}
