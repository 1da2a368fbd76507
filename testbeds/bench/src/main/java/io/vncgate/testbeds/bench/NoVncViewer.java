package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A viewer that speaks to the server as noVNC 1.7's {@code core/rfb.js} does, without drawing:
 * RFB 3.8, security None (or VNC authentication with a password: the gateway's TCP front), a
 * shared ClientInit; after ServerInit SetPixelFormat (32 bpp, depth 24, little-endian, true colour,
 * max 255, shifts 0/8/16), SetEncodings with noVNC's list in its order ({@link #ENCODINGS}), and a
 * non-incremental FramebufferUpdateRequest for the whole screen. Then it answers as noVNC answers:
 * an incremental request after each complete update until continuous updates are on; the first
 * EndOfContinuousUpdates turns them on (EnableContinuousUpdates for the whole screen) and no
 * request is sent after that; a Fence request is echoed with its BlockBefore/BlockAfter flags;
 * the extended clipboard's Caps is answered with noVNC's caps (text, the five actions).
 *
 * <p>Every server message is framed exactly, pixel data skipped as it comes (never inflated or
 * decoded): Raw, CopyRect, RRE, Zlib, ZRLE, Tight and TightPNG (compact lengths; fill, JPEG, PNG,
 * basic with the copy, palette and gradient filters, data under 12 bytes sent uncompressed and
 * without a length), and the pseudo-rectangles noVNC asks for. Anything else, Hextile and JPEG
 * (encoding 21) included, which no server here chooses, fails the viewer with a framing error.
 * Runs on one event loop.
 */
final class NoVncViewer implements LinkEnd {
  static final int RAW = 0;
  static final int COPY_RECT = 1;
  static final int RRE = 2;
  static final int HEXTILE = 5;
  static final int ZLIB = 6;
  static final int TIGHT = 7;
  static final int ZRLE = 16;
  static final int JPEG = 21;
  static final int TIGHT_PNG = -260;
  static final int QUALITY_0 = -32;
  static final int COMPRESS_0 = -256;
  static final int DESKTOP_SIZE = -223;
  static final int LAST_RECT = -224;
  static final int CURSOR = -239;
  static final int QEMU_EXTENDED_KEY = -258;
  static final int QEMU_LED = -261;
  static final int DESKTOP_NAME = -307;
  static final int EXTENDED_DESKTOP_SIZE = -308;
  static final int XVP = -309;
  static final int FENCE = -312;
  static final int CONTINUOUS_UPDATES = -313;
  static final int EXTENDED_MOUSE_BUTTONS = -316;
  static final int VMWARE_CURSOR = 0x574d5664;
  static final int EXTENDED_CLIPBOARD = 0xc0a1e5ce;
  /** noVNC's defaults: quality 6, compression 2. */
  static final int QUALITY = 6;
  static final int COMPRESSION = 2;

  /**
   * noVNC 1.7's {@code _sendEncodings()} for a depth-24 server, in its order, as a browser without
   * WebCodecs H.264 decoding sends it (with it, H.264, 50, comes second; Xvnc 1.12 has no H.264).
   */
  static final int[] ENCODINGS = {COPY_RECT, TIGHT, TIGHT_PNG, ZRLE, JPEG, HEXTILE, RRE, ZLIB, RAW,
      QUALITY_0 + QUALITY, COMPRESS_0 + COMPRESSION, DESKTOP_SIZE, LAST_RECT, QEMU_EXTENDED_KEY, QEMU_LED,
      EXTENDED_DESKTOP_SIZE, XVP, FENCE, CONTINUOUS_UPDATES, DESKTOP_NAME, EXTENDED_CLIPBOARD, EXTENDED_MOUSE_BUTTONS,
      VMWARE_CURSOR, CURSOR};

  /** Tight sub-types counted by {@link #tightKinds()}. */
  static final String FILL = "fill";
  static final String TIGHT_JPEG = "jpeg";
  static final String TIGHT_PNG_DATA = "png";
  static final String BASIC_COPY = "basic-copy";
  static final String BASIC_PALETTE = "basic-palette";
  static final String BASIC_GRADIENT = "basic-gradient";
  static final String BASIC_UNCOMPRESSED = "basic-under-12-bytes";

  /** Told, on the viewer's loop, of every complete FramebufferUpdate. */
  interface Listener {
    void update(NoVncViewer viewer);
  }

  private enum State { VERSION, SECURITY_COUNT, SECURITY_TYPES, CHALLENGE, SECURITY_RESULT, REASON, SERVER_INIT, NORMAL, FAILED }

  private enum After { RECT, MESSAGE }

  private static final int TPIXEL = 3; // 32 bpp, depth 24, every max 255: Tight sends 3 bytes a pixel
  private static final int BPP = 4;
  private static final int FENCE_REQUEST = 1 << 31;

  private final String password;
  private final int[] marker;
  private final Promise<Void> ready = Promise.promise();
  private final Promise<String> closed = Promise.promise();
  private final ByteBuf acc = Unpooled.buffer(4096);
  private final Map<Integer, Long> rects = new TreeMap<>();
  private final Map<String, Long> tight = new TreeMap<>();
  private ViewerLink link;
  private Listener listener = v -> { };
  private State state = State.VERSION;
  private long skip;
  private After after;
  private int width;
  private int height;
  private int rectsLeft;
  private int rx;
  private int ry;
  private int rw;
  private int rh;
  private int encoding;
  private boolean continuousUpdates;
  private volatile long updates;
  private volatile long received;
  private volatile long fences;
  private volatile long endOfContinuousUpdates;
  private long[] markerTimes = new long[256];
  private int markerCount;
  private volatile String error;

  /**
   * @param password the VNC password (a vncgate ticket on its TCP front), or null for security None
   * @param marker {x, y}: a data rectangle holding this pixel is timed ({@link #markerTimes}), or null
   */
  NoVncViewer(String password, int[] marker) {
    this.password = password;
    this.marker = marker;
  }

  void listener(Listener l) {
    this.listener = l;
  }

  @Override
  public void attach(ViewerLink l) {
    this.link = l;
  }

  /** Completes after ServerInit and noVNC's first three messages. */
  Future<Void> ready() {
    return ready.future();
  }

  Future<String> closed() {
    return closed.future();
  }

  boolean isOpen() {
    return !closed.future().isComplete();
  }

  /** Complete FramebufferUpdates so far (any thread). */
  long updates() {
    return updates;
  }

  long received() {
    return received;
  }

  /** The framing error or the server's refusal that ended the viewer, or null. */
  String error() {
    return error;
  }

  long fences() {
    return fences;
  }

  boolean continuousUpdates() {
    return endOfContinuousUpdates > 0;
  }

  /** Rectangles received by encoding number (pseudo-encodings included); a copy, on the viewer's loop. */
  synchronized Map<Integer, Long> rectangles() {
    return new TreeMap<>(rects);
  }

  /** Tight rectangles by sub-type ({@link #FILL}, {@link #TIGHT_JPEG}, …); a copy. */
  synchronized Map<String, Long> tightKinds() {
    return new TreeMap<>(tight);
  }

  /** System.nanoTime() of every data rectangle holding the marker pixel, received complete; a copy. */
  synchronized long[] markerTimes() {
    return Arrays.copyOf(markerTimes, markerCount);
  }

  void close() {
    if (link != null) link.close();
  }

  @Override
  public void linkClosed(String reason) {
    ready.tryFail(reason);
    closed.tryComplete(reason);
  }

  @Override
  public void feed(ByteBuf in) {
    received += in.readableBytes();
    while (in.isReadable() && state != State.FAILED) {
      if (skip > 0 && !acc.isReadable()) {
        int k = (int) Math.min(skip, in.readableBytes());
        in.skipBytes(k);
        skip -= k;
        if (skip == 0) skipped();
        continue;
      }
      acc.writeBytes(in);
      parse();
    }
    if (!acc.isReadable()) acc.clear();
    else if (acc.readerIndex() > 65536) acc.discardReadBytes();
  }

  private void parse() {
    while (state != State.FAILED) {
      if (skip > 0) {
        int k = (int) Math.min(skip, acc.readableBytes());
        if (k == 0) return;
        acc.skipBytes(k);
        skip -= k;
        if (skip == 0) skipped();
        continue;
      }
      int mark = acc.readerIndex();
      if (!step()) {
        acc.readerIndex(mark);
        return;
      }
    }
  }

  private boolean has(int n) {
    return acc.readableBytes() >= n;
  }

  /** One message, one handshake step or one rectangle's head; false (nothing consumed) when bytes are missing. */
  private boolean step() {
    switch (state) {
      case VERSION -> {
        if (!has(12)) return false;
        String banner = acc.readCharSequence(12, StandardCharsets.US_ASCII).toString();
        if (!banner.startsWith("RFB 003.")) return fail("not an RFB server: " + banner.trim());
        if (banner.compareTo("RFB 003.008\n") < 0) return fail("the server speaks " + banner.trim() + ", not 3.8");
        write(Buffer.buffer("RFB 003.008\n"));
        state = State.SECURITY_COUNT;
      }
      case SECURITY_COUNT -> {
        if (!has(1)) return false;
        int n = acc.readUnsignedByte();
        if (n == 0) {
          state = State.REASON;
          return true;
        }
        if (!has(n)) return false;
        boolean none = false;
        boolean vnc = false;
        for (int i = 0; i < n; i++) {
          int t = acc.readUnsignedByte();
          none |= t == 1;
          vnc |= t == 2;
        }
        if (password == null && none) {
          write(Buffer.buffer(new byte[] {1}));
          state = State.SECURITY_RESULT;
        } else if (password != null && vnc) {
          write(Buffer.buffer(new byte[] {2}));
          state = State.CHALLENGE;
        } else {
          return fail("no usable security type offered");
        }
      }
      case CHALLENGE -> {
        if (!has(16)) return false;
        byte[] challenge = new byte[16];
        acc.readBytes(challenge);
        write(Buffer.buffer(RfbViewer.vncResponse(challenge, password)));
        state = State.SECURITY_RESULT;
      }
      case SECURITY_RESULT -> {
        if (!has(4)) return false;
        if (acc.readInt() != 0) {
          state = State.REASON;
          return true;
        }
        write(Buffer.buffer(new byte[] {1})); // ClientInit, shared (noVNC's default)
        state = State.SERVER_INIT;
      }
      case REASON -> {
        if (!has(4)) return false;
        int n = acc.getInt(acc.readerIndex());
        if (n < 0 || n > 4096) return fail("refused without a readable reason");
        if (!has(4 + n)) return false;
        acc.skipBytes(4);
        return fail("refused: " + acc.readCharSequence(n, StandardCharsets.UTF_8));
      }
      case SERVER_INIT -> {
        if (!has(24)) return false;
        int nameLength = acc.getInt(acc.readerIndex() + 20);
        if (nameLength < 0 || nameLength > 65536) return fail("a desktop name of " + nameLength + " bytes");
        if (!has(24 + nameLength)) return false;
        width = acc.readUnsignedShort();
        height = acc.readUnsignedShort();
        int depth = acc.getUnsignedByte(acc.readerIndex() + 1);
        acc.skipBytes(20 + nameLength);
        if (depth != 24) return fail("the server's depth is " + depth + ": noVNC would ask for other encodings");
        serverInit();
      }
      case NORMAL -> {
        return rectsLeft > 0 ? rect() : message();
      }
      default -> throw new IllegalStateException(state.name());
    }
    return true;
  }

  /** noVNC's answer to ServerInit: SetPixelFormat, SetEncodings, a whole-screen non-incremental request. */
  private void serverInit() {
    Buffer pf = Buffer.buffer(20).appendByte((byte) 0).appendBytes(new byte[3])
        .appendByte((byte) 32).appendByte((byte) 24).appendByte((byte) 0).appendByte((byte) 1)
        .appendUnsignedShort(255).appendUnsignedShort(255).appendUnsignedShort(255)
        .appendByte((byte) 0).appendByte((byte) 8).appendByte((byte) 16).appendBytes(new byte[3]);
    Buffer enc = Buffer.buffer(4 + 4 * ENCODINGS.length).appendByte((byte) 2).appendByte((byte) 0)
        .appendUnsignedShort(ENCODINGS.length);
    for (int e : ENCODINGS) enc.appendInt(e);
    write(pf.appendBuffer(enc).appendBuffer(request(false)));
    state = State.NORMAL;
    ready.tryComplete();
  }

  private Buffer request(boolean incremental) {
    return Buffer.buffer(10).appendByte((byte) 3).appendByte((byte) (incremental ? 1 : 0)).appendInt(0)
        .appendUnsignedShort(width).appendUnsignedShort(height);
  }

  private boolean message() {
    if (!has(1)) return false;
    int type = acc.readUnsignedByte();
    switch (type) {
      case 0 -> {
        if (!has(3)) return false;
        acc.skipBytes(1);
        rectsLeft = acc.readUnsignedShort();
        if (rectsLeft == 0) updateDone();
      }
      case 1 -> { // SetColourMapEntries
        if (!has(5)) return false;
        int n = acc.getUnsignedShort(acc.readerIndex() + 3);
        if (!has(5 + 6 * n)) return false;
        acc.skipBytes(5 + 6 * n);
      }
      case 2 -> { } // Bell
      case 3 -> {
        return cutText();
      }
      case 150 -> { // EndOfContinuousUpdates: the first one turns them on, as noVNC does
        endOfContinuousUpdates++;
        if (!continuousUpdates && endOfContinuousUpdates == 1) {
          continuousUpdates = true;
          write(Buffer.buffer(10).appendByte((byte) 150).appendByte((byte) 1).appendUnsignedShort(0).appendUnsignedShort(0)
              .appendUnsignedShort(width).appendUnsignedShort(height));
        }
      }
      case 248 -> { // ServerFence
        if (!has(8)) return false;
        int length = acc.getUnsignedByte(acc.readerIndex() + 7);
        if (!has(8 + length)) return false;
        acc.skipBytes(3);
        int flags = acc.readInt();
        acc.skipBytes(1);
        byte[] payload = new byte[length];
        acc.readBytes(payload);
        if ((flags & FENCE_REQUEST) == 0) return fail("unexpected fence response");
        fences++;
        write(Buffer.buffer(9 + length).appendByte((byte) 248).appendBytes(new byte[3]).appendInt(flags & 3)
            .appendByte((byte) length).appendBytes(payload));
      }
      case 250 -> { // xvp
        if (!has(3)) return false;
        int msg = acc.getUnsignedByte(acc.readerIndex() + 2);
        acc.skipBytes(3);
        if (msg > 1) return fail("illegal xvp message " + msg);
      }
      default -> {
        return fail("unexpected server message type " + type);
      }
    }
    return true;
  }

  /** ServerCutText, classic (skipped) or extended (negative length: Caps answered with noVNC's caps). */
  private boolean cutText() {
    if (!has(7)) return false;
    int length = acc.getInt(acc.readerIndex() + 3);
    if (length >= 0) {
      acc.skipBytes(7);
      skip(length, After.MESSAGE);
      return true;
    }
    int n = -length;
    if (n < 4 || n > 1 << 24) return fail("an extended clipboard message of " + n + " bytes");
    if (!has(7 + n)) return false;
    acc.skipBytes(7);
    int flags = acc.getInt(acc.readerIndex());
    acc.skipBytes(n);
    if ((flags & (1 << 24)) != 0) {
      // noVNC's extendedClipboardCaps: caps, request, peek, notify, provide; text with a size of 0
      Buffer caps = Buffer.buffer().appendInt(0x1F000001).appendInt(0);
      write(Buffer.buffer(8 + caps.length()).appendByte((byte) 6).appendBytes(new byte[3]).appendInt(-caps.length())
          .appendBuffer(caps));
    } else if ((flags & (1 << 27)) != 0 && (flags & 1) != 0) {
      // a Notify of text: noVNC asks for it
      write(Buffer.buffer(12).appendByte((byte) 6).appendBytes(new byte[3]).appendInt(-4).appendInt((1 << 25) | 1));
    }
    return true;
  }

  private boolean rect() {
    if (!has(12)) return false;
    rx = acc.readUnsignedShort();
    ry = acc.readUnsignedShort();
    rw = acc.readUnsignedShort();
    rh = acc.readUnsignedShort();
    encoding = acc.readInt();
    long area = (long) rw * rh;
    switch (encoding) {
      case LAST_RECT -> {
        count(encoding);
        rectsLeft = 1;
        rectDone();
        return true;
      }
      case RAW -> skip(area * BPP, After.RECT);
      case COPY_RECT -> skip(4, After.RECT);
      case RRE -> {
        if (!has(4 + BPP)) return false;
        long n = acc.readUnsignedInt();
        acc.skipBytes(BPP);
        skip(n * (BPP + 8), After.RECT);
      }
      case ZLIB, ZRLE -> {
        if (!has(4)) return false;
        skip(acc.readUnsignedInt(), After.RECT);
      }
      case TIGHT, TIGHT_PNG -> {
        return tight();
      }
      case CURSOR -> skip(area * BPP + (long) ((rw + 7) / 8) * rh, After.RECT);
      case VMWARE_CURSOR -> {
        if (!has(2)) return false;
        int type = acc.readUnsignedByte();
        acc.skipBytes(1);
        if (type == 0) skip(2 * area * 4, After.RECT);
        else if (type == 1) skip(area * 4, After.RECT);
        else return fail("VMware cursor of type " + type);
      }
      case DESKTOP_SIZE, QEMU_EXTENDED_KEY, EXTENDED_MOUSE_BUTTONS -> {
        if (encoding == DESKTOP_SIZE) resize();
        skip(0, After.RECT);
      }
      case QEMU_LED -> skip(1, After.RECT);
      case DESKTOP_NAME -> {
        if (!has(4)) return false;
        skip(acc.readUnsignedInt(), After.RECT);
      }
      case EXTENDED_DESKTOP_SIZE -> {
        if (!has(4)) return false;
        int screens = acc.readUnsignedByte();
        acc.skipBytes(3);
        if (ry == 0) resize(); // y is the status: 0 for a resize that happened
        skip(16L * screens, After.RECT);
      }
      default -> {
        return fail("encoding " + encoding + " (" + rw + "x" + rh + " at " + rx + "," + ry + ") is not framed by this viewer");
      }
    }
    return true;
  }

  private void resize() {
    width = rw;
    height = rh;
  }

  /** A Tight (or TightPNG) rectangle's head, up to its data, which is then skipped. */
  private boolean tight() {
    if (!has(1)) return false;
    int ctl = acc.readUnsignedByte() >> 4;
    if (ctl == 8) {
      if (!has(TPIXEL)) return false;
      acc.skipBytes(TPIXEL);
      return tightData(FILL, 0);
    }
    if (ctl == 9 || ctl == 10) {
      if (ctl == 10 && encoding != TIGHT_PNG) return fail("a PNG rectangle in Tight (not TightPNG)");
      long n = compactLength();
      return n >= 0 && tightData(ctl == 9 ? TIGHT_JPEG : TIGHT_PNG_DATA, n);
    }
    if (ctl > 10) return fail("illegal Tight compression control " + ctl);
    if (encoding == TIGHT_PNG) return fail("a basic rectangle in TightPNG");
    int filter = 0;
    if ((ctl & 4) != 0) {
      if (!has(1)) return false;
      filter = acc.readUnsignedByte();
    }
    long size;
    String kind;
    switch (filter) {
      case 0 -> {
        size = (long) rw * rh * TPIXEL;
        kind = BASIC_COPY;
      }
      case 1 -> {
        if (!has(1)) return false;
        int colours = acc.getUnsignedByte(acc.readerIndex()) + 1;
        if (!has(1 + colours * TPIXEL)) return false;
        acc.skipBytes(1 + colours * TPIXEL);
        size = colours == 2 ? (long) ((rw + 7) / 8) * rh : (long) rw * rh;
        kind = BASIC_PALETTE;
      }
      case 2 -> {
        size = (long) rw * rh * TPIXEL;
        kind = BASIC_GRADIENT;
      }
      default -> {
        return fail("illegal Tight filter " + filter);
      }
    }
    if (size < 12) {
      count(BASIC_UNCOMPRESSED);
      return tightData(kind, size);
    }
    long n = compactLength();
    return n >= 0 && tightData(kind, n);
  }

  private boolean tightData(String kind, long bytes) {
    count(kind);
    skip(bytes, After.RECT);
    return true;
  }

  /** Tight's 1-3 byte length; -1 (nothing decided) when bytes are missing. */
  private long compactLength() {
    if (!has(1)) return -1;
    int b = acc.readUnsignedByte();
    long n = b & 0x7F;
    if ((b & 0x80) != 0) {
      if (!has(1)) return -1;
      b = acc.readUnsignedByte();
      n |= (long) (b & 0x7F) << 7;
      if ((b & 0x80) != 0) {
        if (!has(1)) return -1;
        n |= (long) acc.readUnsignedByte() << 14;
      }
    }
    return n;
  }

  private synchronized void count(String kind) {
    tight.merge(kind, 1L, Long::sum);
  }

  private synchronized void count(int enc) {
    rects.merge(enc, 1L, Long::sum);
  }

  private void skip(long bytes, After then) {
    after = then;
    skip = bytes;
    if (bytes == 0) skipped();
  }

  private void skipped() {
    if (after == After.RECT) {
      count(encoding);
      boolean pixels = encoding >= RAW && encoding <= ZRLE || encoding == TIGHT_PNG;
      if (pixels && marker != null && rx <= marker[0] && marker[0] < rx + rw && ry <= marker[1] && marker[1] < ry + rh) {
        markerSeen(System.nanoTime());
      }
      rectDone();
    }
  }

  private synchronized void markerSeen(long now) {
    if (markerCount == markerTimes.length) markerTimes = Arrays.copyOf(markerTimes, markerCount * 2);
    markerTimes[markerCount++] = now;
  }

  private void rectDone() {
    if (--rectsLeft == 0) updateDone();
  }

  private void updateDone() {
    updates++;
    if (!continuousUpdates) write(request(true)); // noVNC's _normalMsg: the next request once an update is whole
    listener.update(this);
  }

  private void write(Buffer b) {
    if (link != null) link.write(b);
  }

  private boolean fail(String why) {
    state = State.FAILED;
    error = why;
    ready.tryFail(why);
    closed.tryComplete(why);
    if (link != null) link.close();
    return true; // consumed: the parse loop stops on FAILED
  }
}
