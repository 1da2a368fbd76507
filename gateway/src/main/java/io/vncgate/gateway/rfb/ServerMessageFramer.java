package io.vncgate.gateway.rfb;

import static io.vncgate.gateway.rfb.Encodings.*;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Objects;

/**
 * Frames the target's server-to-client messages after ServerInit (rfb-reference.md §4) without
 * holding them: bytes are forwarded as they arrive, as ranges of the caller's chunk, while the
 * framer follows message and rectangle boundaries by reading headers only. Rectangle payloads are
 * never looked at (Raw pixels, zlib/ZRLE/Tight data are passed by length), so the cost does not
 * grow with the bytes relayed.
 *
 * <p>What it is for: the clipboard from the target to the viewer ({@code ServerCutText}) can be
 * dropped by policy or size, and a target that breaks the framing is stopped with a reason instead
 * of confusing the viewer. A ServerCutText header is the only thing held back (8 bytes) until it
 * is judged; a dropped message is skipped as it arrives, never buffered.
 *
 * <p>The encodings it can frame are {@link Encodings#canFrame}'s; the viewer's SetEncodings is
 * narrowed to them ({@link ClientMessageFramer}), so a target only sends what can be framed.
 * Rectangle sizes of Raw, RRE, Hextile, Tight and cursors depend on the pixel format: the one from
 * ServerInit, replaced when the viewer's SetPixelFormat takes effect ({@link #pixelFormatSent}).
 *
 * <p>Not thread-safe except {@link #pixelFormatSent}: feed from one thread.
 */
public final class ServerMessageFramer extends HeaderStream<ServerMessageFramer.Step> {

  /** Where the bytes of a fed chunk go. */
  public interface Output {
    /** Forward bytes {@code [from, to)} of the chunk being fed. */
    void forward(int from, int to);

    /** Forward bytes held from earlier chunks (a ServerCutText header judged in this chunk). */
    void forwardHeld(byte[] bytes, int length);
  }

  /** Told once per dropped message: {@code reason} for metrics, {@code why} in words for logs. */
  public interface Listener {
    void dropped(String wireName, long bytes, DropReason reason, String why);
  }

  static final int MAX_FENCE_PAYLOAD = 64;
  private static final int FENCE_REQUEST = 0x80000000;

  /** What to do when the bytes asked for (a header or a payload run) are in. */
  enum Step {
    TYPE, UPDATE, RECT, COLOUR_MAP, CUT_TEXT, CUT_TEXT_FLAGS, CUT_TEXT_DONE, FENCE, FENCE_DONE, FENCE_DROPPED, XVP, QEMU, QEMU_AUDIO_LENGTH,
    MESSAGE_DONE, DROPPED, RECT_DONE, LENGTH_THEN_RECT_DONE, RRE, CORRE, DESKTOP_SIZES, VMWARE_CURSOR, H264,
    HEXTILE_TILE, HEXTILE_SUBRECTS, HEXTILE_TILE_DONE,
    TIGHT_CONTROL, TIGHT_FILTER, TIGHT_PALETTE, TIGHT_DATA, TIGHT_LENGTH
  }

  private final long clipboardMaxBytes;
  private final boolean clipboardAllowed;
  private final Listener listener;
  /** Pixel formats sent and not yet in effect, in the order the viewer sent them. */
  private final Queue<PendingFormat> pendingFormats = new ConcurrentLinkedQueue<>();
  /** Ordinals of the fence requests the gateway itself sent: their answers are not the viewer's. */
  private final Queue<Long> gatewayFences = new ConcurrentLinkedQueue<>();
  /** Fence answers (ServerFence without the request bit) seen so far. */
  private final AtomicLong fenceAnswers = new AtomicLong();
  private Runnable fenceSupport = () -> { };
  /** FramebufferUpdates whose header was seen, and those seen whole. */
  private final AtomicLong updatesBegun = new AtomicLong();
  private final AtomicLong updatesDone = new AtomicLong();

  // pixel format in use
  private int bytesPerPixel;
  private int tightPixel;

  // the update being framed
  private int rectsLeft;
  private int rectWidth;
  private int rectHeight;
  private int tilesAcross;
  private int tilesLeft;
  private int tileIndex;
  private int hextileSubencoding;
  private int compactShift;
  private long compactLength;
  private long tightDataSize;
  private int tightPaletteSize;

  private Runnable extendedMouseButtons = () -> { };
  /** Told of each clipboard text forwarded; null: nobody asks, and cut texts are passed unread as before. */
  private ClientMessageFramer.ClipboardListener clipboardListener;
  /** The flags of the extended provide being watched; 0: a classic text. */
  private int watchedFlags;
  private RfbException failure;
  private long forwardedMessages;
  private long droppedMessages;

  /**
   * @param pixelFormat the 16-byte PIXEL_FORMAT of ServerInit
   * @param clipboardMaxBytes a ServerCutText whose text is longer is dropped
   * @param clipboardAllowed false: every ServerCutText is dropped
   */
  public ServerMessageFramer(byte[] pixelFormat, long clipboardMaxBytes, boolean clipboardAllowed, Listener listener) {
    usePixelFormat(pixelFormat);
    this.clipboardMaxBytes = clipboardMaxBytes;
    this.clipboardAllowed = clipboardAllowed;
    this.listener = listener == null ? (t, b, r, w) -> { } : listener;
    expect(1, Step.TYPE);
  }

  /**
   * The viewer sent SetPixelFormat (forwarded to the target). It takes effect where the target
   * switches: after the target's answer to the viewer's synchronising fence when the viewer sent
   * one right before it (TigerVNC's way), else at the next FramebufferUpdate (a viewer without
   * fences changes format only with no update outstanding; noVNC sets it once, before its first
   * request). May be called from any thread.
   */
  public void pixelFormatSent(byte[] pixelFormat, boolean afterSyncFence) {
    pixelFormatSent(pixelFormat, afterSyncFence ? fenceAnswers.get() + 1 : 0, false);
  }

  /**
   * The viewer sent SetPixelFormat (forwarded to the target, after the formats sent before it).
   *
   * @param fence 0: it takes effect at the next FramebufferUpdate; n: at the target's answer to
   *     the n-th fence request of the connection (a synchronising fence sent right before it:
   *     TigerVNC answers it once the format is in effect, with every update before the answer in
   *     the old format)
   * @param gatewayFence that fence was the gateway's own: its answer is not forwarded
   */
  public void pixelFormatSent(byte[] pixelFormat, long fence, boolean gatewayFence) {
    if (pixelFormat.length != ServerInit.PIXEL_FORMAT_LENGTH) {
      throw new IllegalArgumentException("pixel format must be 16 bytes, got " + pixelFormat.length);
    }
    if (gatewayFence) gatewayFences.add(fence);
    pendingFormats.add(new PendingFormat(pixelFormat.clone(), fence));
  }

  /** Who hears that the target sent a fence request: it supports fences (ClientFence may be sent). */
  public void onFenceSupport(Runnable listener) {
    this.fenceSupport = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Who hears that the target sent the ExtendedMouseButtons pseudo-rectangle (-316): the target
   * supports 7-byte pointer events (the viewer-side framer may frame them from now on).
   */
  public void onExtendedMouseButtons(Runnable listener) {
    this.extendedMouseButtons = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Who hears of each clipboard text forwarded to the viewer (a classic ServerCutText, or an
   * extended provide with text): such a text, within its cap, is then copied as it passes, and
   * never spliced.
   */
  public void clipboardListener(ClientMessageFramer.ClipboardListener listener) {
    this.clipboardListener = Objects.requireNonNull(listener, "listener");
  }

  /** FramebufferUpdates whose header has been seen. May be called from any thread. */
  public long updatesBegun() {
    return updatesBegun.get();
  }

  /** FramebufferUpdates seen whole. May be called from any thread. */
  public long updatesDone() {
    return updatesDone.get();
  }

  public long messagesForwarded() {
    return forwardedMessages;
  }

  public long messagesDropped() {
    return droppedMessages;
  }

  /**
   * Frames {@code data}, telling {@code output} which of its bytes go to the viewer, in order.
   *
   * @throws RfbException PROTOCOL_ERROR when the target sends something that cannot be framed;
   *     what came before it in this chunk has been forwarded, and every later feed throws the same
   */
  public void feed(Buffer data, Output output) throws RfbException {
    if (failure != null) throw failure;
    try {
      stream(data, output);
    } catch (RfbException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * How many of the bytes that come next are opaque payload (pixel or compressed data) that the
   * target has still to send: bytes that will come, whatever the viewer does.
   */
  public long opaqueBytesAhead() {
    return failure != null ? 0 : passing();
  }

  /**
   * {@code bytes} of the opaque payload ahead ({@code 0 < bytes <= opaqueBytesAhead()}) went to the
   * viewer without being fed (spliced).
   *
   * @throws RfbException as {@link #feed} would, when what the grammar takes after them cannot be
   */
  public void skipped(long bytes) throws RfbException {
    if (failure != null) throw failure;
    try {
      passedElsewhere(bytes);
    } catch (RfbException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  protected void step(Step step) throws RfbException {
    switch (step) {
      case TYPE -> type();
      case MESSAGE_DONE -> messageDone();
      case DROPPED -> expect(1, Step.TYPE);
      case UPDATE -> {
        // a count, 0xFFFF included, as noVNC (core/rfb.js _framebufferUpdate) and TigerVNC's
        // CMsgReader read it: a LastRect only ends an update early
        rectsLeft = u16(1);
        nextRect();
      }
      case RECT -> rect();
      case RECT_DONE -> nextRect();
      case LENGTH_THEN_RECT_DONE -> pass(u32(0), Step.RECT_DONE);
      case RRE -> pass(u32(0) * (bytesPerPixel + 8), Step.RECT_DONE);
      case CORRE -> pass(u32(0) * (bytesPerPixel + 4), Step.RECT_DONE);
      case DESKTOP_SIZES -> pass(16L * u8(0), Step.RECT_DONE);
      case H264 -> pass(u32(0), Step.RECT_DONE);
      case VMWARE_CURSOR -> vmwareCursor();
      case HEXTILE_TILE -> hextileTile();
      case HEXTILE_SUBRECTS -> {
        int colours = ((hextileSubencoding & 2) != 0 ? bytesPerPixel : 0) + ((hextileSubencoding & 4) != 0 ? bytesPerPixel : 0);
        int count = u8(colours);
        pass((long) count * ((hextileSubencoding & 16) != 0 ? bytesPerPixel + 2 : 2), Step.HEXTILE_TILE_DONE);
      }
      case HEXTILE_TILE_DONE -> nextTile();
      case TIGHT_CONTROL -> tightControl();
      case TIGHT_FILTER -> tightFilter();
      case TIGHT_PALETTE -> {
        tightPaletteSize = u8(0) + 1;
        // 1 bit a pixel for palettes of 1 and 2 colours: TigerVNC's TightDecoder (palSize <= 2) and
        // noVNC's tight.js (numColors <= 2) alike; 8 bits from 3 colours
        tightDataSize = tightPaletteSize <= 2 ? (long) ((rectWidth + 7) / 8) * rectHeight : (long) rectWidth * rectHeight;
        pass((long) tightPaletteSize * tightPixel, Step.TIGHT_DATA);
      }
      case TIGHT_DATA -> {
        if (tightDataSize < 12) pass(tightDataSize, Step.RECT_DONE);
        else compactLength();
      }
      case TIGHT_LENGTH -> {
        int b = u8(0);
        compactLength |= (long) (b & (compactShift == 14 ? 0xFF : 0x7F)) << compactShift;
        if ((b & 0x80) != 0 && compactShift < 14) {
          compactShift += 7;
          expect(1, Step.TIGHT_LENGTH);
        } else {
          pass(compactLength, Step.RECT_DONE);
        }
      }
      case COLOUR_MAP -> pass(6L * u16(3), Step.MESSAGE_DONE);
      case CUT_TEXT -> cutText();
      case CUT_TEXT_FLAGS -> cutTextFlags();
      case CUT_TEXT_DONE -> {
        byte[] text = takeWatched().getBytes();
        clipboardListener.passed(watchedFlags == 0 ? CutText.classic(text) : CutText.provide(watchedFlags, text));
        messageDone();
      }
      case FENCE -> {
        // the whole 9-byte header is held (from the type byte): the gateway's own answers are dropped
        int payload = u8(8);
        if (payload > MAX_FENCE_PAYLOAD) {
          throw malformed("sent a ServerFence with " + payload + " bytes of payload, more than the limit of " + MAX_FENCE_PAYLOAD);
        }
        if ((s32(4) & FENCE_REQUEST) != 0) {
          fenceSupport.run();
          releaseHeld(9);
          pass(payload, Step.MESSAGE_DONE);
          return;
        }
        long answer = fenceAnswers.incrementAndGet();
        applyFormatsUpTo(answer);
        Long own = gatewayFences.peek();
        if (own != null && own == answer) {
          gatewayFences.poll();
          dropHeld();
          if (payload == 0) expect(1, Step.TYPE);
          else skip(payload, Step.FENCE_DROPPED);
          return;
        }
        releaseHeld(9);
        pass(payload, Step.FENCE_DONE);
      }
      case FENCE_DONE -> messageDone();
      case FENCE_DROPPED -> expect(1, Step.TYPE);
      case XVP -> messageDone();
      case QEMU -> qemu();
      case QEMU_AUDIO_LENGTH -> pass(u32(0), Step.MESSAGE_DONE);
    }
  }

  private void type() throws RfbException {
    int type = u8(0);
    switch (type) {
      case ServerMessageType.FRAMEBUFFER_UPDATE -> {
        // formats waiting for the next update (no fence), in order, up to one that waits for a fence
        for (PendingFormat p = pendingFormats.peek(); p != null && p.fence == 0; p = pendingFormats.peek()) {
          pendingFormats.poll();
          usePixelFormat(p.format);
        }
        updatesBegun.incrementAndGet();
        expect(3, Step.UPDATE);
      }
      case ServerMessageType.SET_COLOUR_MAP_ENTRIES -> expect(5, Step.COLOUR_MAP);
      case ServerMessageType.BELL -> messageDone();
      case ServerMessageType.SERVER_CUT_TEXT -> {
        holdLastByte(); // judged once its 8-byte header is in
        expectMore(8, Step.CUT_TEXT);
      }
      case ServerMessageType.END_OF_CONTINUOUS_UPDATES -> messageDone();
      case ServerMessageType.SERVER_FENCE -> {
        holdLastByte(); // judged once its 9-byte header is in
        expectMore(9, Step.FENCE);
      }
      case ServerMessageType.XVP -> expect(3, Step.XVP);
      case ServerMessageType.QEMU -> expect(3, Step.QEMU);
      default -> throw malformed("sent unknown RFB message type " + type);
    }
  }

  private void messageDone() {
    forwardedMessages++;
    expect(1, Step.TYPE);
  }

  private void nextRect() throws RfbException {
    if (rectsLeft == 0) {
      updatesDone.incrementAndGet();
      messageDone();
      return;
    }
    rectsLeft--;
    expect(12, Step.RECT);
  }

  private void rect() throws RfbException {
    rectWidth = u16(4);
    rectHeight = u16(6);
    int encoding = s32(8);
    long w = rectWidth;
    long h = rectHeight;
    if (w * h == 0 && carriesDataWhenEmptyToSomeViewers(encoding)) {
      throw malformed("sent a " + encodingName(encoding) + " rectangle of " + w + "x" + h + " pixels, which viewers read"
          + " differently (noVNC 1.7 reads no data for an empty zlib rectangle, TigerVNC and noVNC read the header of the"
          + " others, older viewers skip every empty rectangle), so the gateway cannot forward it; no VNC server sends"
          + " empty rectangles of this kind");
    }
    switch (encoding) {
      case RAW -> pass(w * h * bytesPerPixel, Step.RECT_DONE);
      case COPY_RECT -> pass(4, Step.RECT_DONE);
      case RRE -> expect(4 + bytesPerPixel, Step.RRE);
      case CORRE -> expect(4 + bytesPerPixel, Step.CORRE);
      case HEXTILE -> startHextile();
      case ZLIB, ZRLE, ZYWRLE -> expect(4, Step.LENGTH_THEN_RECT_DONE);
      case TIGHT, TIGHT_PNG -> expect(1, Step.TIGHT_CONTROL);
      case H264 -> expect(8, Step.H264);                                        // U32 length, U32 flags
      case CURSOR -> pass(w * h * bytesPerPixel + (w + 7) / 8 * h, Step.RECT_DONE);
      case X_CURSOR -> pass(w * h > 0 ? 6 + 2 * ((w + 7) / 8) * h : 0, Step.RECT_DONE);
      case DESKTOP_NAME -> expect(4, Step.LENGTH_THEN_RECT_DONE);
      case EXTENDED_DESKTOP_SIZE -> expect(4, Step.DESKTOP_SIZES);
      case VMWARE_CURSOR -> expect(2, Step.VMWARE_CURSOR);
      case VMWARE_LED_STATE -> pass(4, Step.RECT_DONE);
      case QEMU_LED_STATE -> pass(1, Step.RECT_DONE);
      case LAST_RECT -> {
        rectsLeft = 0;
        nextRect();
      }
      case EXTENDED_MOUSE_BUTTONS -> {
        extendedMouseButtons.run(); // the target confirms: it reads 7-byte pointer events when asked
        nextRect();
      }
      case DESKTOP_SIZE, QEMU_POINTER_MOTION_CHANGE, QEMU_EXTENDED_KEY_EVENT, QEMU_AUDIO, XVP, FENCE, CONTINUOUS_UPDATES,
          VMWARE_CURSOR_POSITION -> nextRect(); // no payload
      default -> throw malformed("sent a rectangle in encoding " + encoding + ", which the gateway cannot frame"
          + " (the viewer's SetEncodings was narrowed to those it can; the target sent it unasked)");
    }
  }

  /**
   * Data encodings whose empty rectangle (zero width or height) viewers read differently: noVNC 1.7
   * reads nothing for zlib ({@code core/decoders/zlib.js}) but the header of CopyRect, RRE, Tight,
   * TightPNG, ZRLE and H.264; TigerVNC 1.12 reads the header of each it decodes (CMsgReader::readRect
   * only logs "zero size rect"); the classic vncviewer lineage (TightVNC 1.3, UltraVNC) skips every
   * empty rectangle without reading anything. Raw and Hextile carry no bytes when empty for all of
   * them, and pseudo-encodings are read by their own rules.
   */
  private static boolean carriesDataWhenEmptyToSomeViewers(int encoding) {
    return switch (encoding) {
      case COPY_RECT, RRE, CORRE, ZLIB, TIGHT, ZRLE, ZYWRLE, H264, TIGHT_PNG -> true;
      default -> false;
    };
  }

  private static String encodingName(int encoding) {
    return switch (encoding) {
      case COPY_RECT -> "CopyRect";
      case RRE -> "RRE";
      case CORRE -> "CoRRE";
      case ZLIB -> "zlib";
      case TIGHT -> "Tight";
      case ZRLE -> "ZRLE";
      case ZYWRLE -> "ZYWRLE";
      case H264 -> "H.264";
      case TIGHT_PNG -> "TightPNG";
      default -> "encoding " + encoding;
    };
  }

  private void vmwareCursor() throws RfbException {
    long pixels = (long) rectWidth * rectHeight;
    switch (u8(0)) {
      case 0 -> pass(2 * pixels * bytesPerPixel, Step.RECT_DONE); // AND and XOR masks
      case 1 -> pass(4 * pixels, Step.RECT_DONE);                  // RGBA
      default -> throw malformed("sent a VMware cursor of unknown type " + u8(0));
    }
  }

  private void startHextile() throws RfbException {
    tilesAcross = (rectWidth + 15) / 16;
    tilesLeft = tilesAcross * ((rectHeight + 15) / 16);
    tileIndex = 0;
    if (tilesLeft == 0) nextRect();
    else expect(1, Step.HEXTILE_TILE);
  }

  private void hextileTile() throws RfbException {
    hextileSubencoding = u8(0);
    if ((hextileSubencoding & 1) != 0) {
      int column = tileIndex % tilesAcross;
      int row = tileIndex / tilesAcross;
      long tw = Math.min(16, rectWidth - column * 16);
      long th = Math.min(16, rectHeight - row * 16);
      pass(tw * th * bytesPerPixel, Step.HEXTILE_TILE_DONE);
      return;
    }
    int colours = ((hextileSubencoding & 2) != 0 ? bytesPerPixel : 0) + ((hextileSubencoding & 4) != 0 ? bytesPerPixel : 0);
    if ((hextileSubencoding & 8) != 0) expect(colours + 1, Step.HEXTILE_SUBRECTS);
    else pass(colours, Step.HEXTILE_TILE_DONE);
  }

  private void nextTile() throws RfbException {
    tileIndex++;
    if (--tilesLeft == 0) nextRect();
    else expect(1, Step.HEXTILE_TILE);
  }

  private void tightControl() throws RfbException {
    int control = u8(0);
    int compression = control >> 4;
    if (compression == 8) {
      pass(tightPixel, Step.RECT_DONE);                  // fill
    } else if (compression == 9 || compression == 10) {
      compactLength();                                   // JPEG, PNG
    } else if (compression > 10) {
      throw malformed("sent a Tight rectangle with unknown compression control " + control);
    } else if ((control & 0x40) != 0) {
      expect(1, Step.TIGHT_FILTER);
    } else {
      tightDataSize = (long) rectWidth * rectHeight * tightPixel; // copy filter
      step(Step.TIGHT_DATA);
    }
  }

  private void tightFilter() throws RfbException {
    switch (u8(0)) {
      case 0, 2 -> {                                     // copy, gradient
        tightDataSize = (long) rectWidth * rectHeight * tightPixel;
        step(Step.TIGHT_DATA);
      }
      case 1 -> expect(1, Step.TIGHT_PALETTE);
      default -> throw malformed("sent a Tight rectangle with unknown filter " + u8(0));
    }
  }

  /** Tight's compact length: 1 to 3 bytes, 7 bits each (the third 8). */
  private void compactLength() {
    compactShift = 0;
    compactLength = 0;
    expect(1, Step.TIGHT_LENGTH);
  }

  private void qemu() throws RfbException {
    int subtype = u8(0);
    int operation = u16(1);
    if (subtype != 1 || operation > 2) {
      throw malformed("sent unknown QEMU server message " + subtype + "/" + operation);
    }
    if (operation == 2) expect(4, Step.QEMU_AUDIO_LENGTH);
    else messageDone();
  }

  /** The 8-byte ServerCutText header is in: forward the message or skip it. */
  private void cutText() throws RfbException {
    long body = Math.abs((long) s32(4));
    DropReason reason = !clipboardAllowed ? DropReason.POLICY : body > clipboardMaxBytes ? DropReason.SIZE
        : s32(4) < 0 && body < 4 ? DropReason.MALFORMED : null;
    String why = reason == null ? null : switch (reason) {
      case POLICY -> "clipboard to viewer disabled";
      case SIZE -> "clipboard " + body + " bytes exceeds the limit of " + clipboardMaxBytes + " bytes";
      default -> ClientMessageFramer.MALFORMED + "an extended clipboard message of " + body + " bytes, too short for its flags";
    };
    if (why == null && s32(4) < 0) {
      expectMore(12, Step.CUT_TEXT_FLAGS); // still held: judged with its flags
      return;
    }
    if (why == null) {
      releaseHeld(8);
      if (clipboardListener != null) {
        watchedFlags = 0;
        watch(body, Step.CUT_TEXT_DONE);
      } else {
        pass(body, Step.MESSAGE_DONE);
      }
      return;
    }
    dropCutText(body, reason, why, body);
  }

  /**
   * An extended ServerCutText's flags are in (12 bytes held). Viewers read a negative length as
   * extended whether or not they enabled it, and read it by its flags, not its length (TigerVNC
   * 1.12's CMsgReader::readExtendedClipboard, noVNC 1.7's _handleServerCutText): caps (any action
   * with the caps bit) {@code 4 + 4·formats} bytes (noVNC reads that many even past a shorter
   * length, TigerVNC closes); request, peek and notify 4; provide its whole length in TigerVNC, but
   * in noVNC only its 4 bytes of flags when the text format bit is clear. Whatever the viewers would
   * read as further messages (or read differently from each other) is dropped, as from viewers:
   * what passes is read the same by both.
   */
  private void cutTextFlags() throws RfbException {
    long body = Math.abs((long) s32(4));
    int flags = s32(8);
    int action = flags & 0xFF000000;
    long canonical = (action & 0x01000000) != 0 ? 4 + 4L * Integer.bitCount(flags & 0xFFFF)
        : switch (action) {
          case 0x02000000, 0x04000000, 0x08000000 -> 4;
          case 0x10000000 -> (flags & 1) != 0 ? body : 4; // without text noVNC reads the flags only
          default -> -1;
        };
    if (canonical == body) {
      releaseHeld(12);
      if (clipboardListener != null && action == 0x10000000 && (flags & 1) != 0) { // a provide with text
        watchedFlags = flags;
        watch(body - 4, Step.CUT_TEXT_DONE);
      } else {
        pass(body - 4, Step.MESSAGE_DONE);
      }
      return;
    }
    dropCutText(body, DropReason.MALFORMED, ClientMessageFramer.MALFORMED + (canonical < 0
        ? "an extended clipboard message whose action bits 0x" + Integer.toHexString(action >>> 24)
            + " are neither caps nor exactly one of request, peek, notify, provide"
        : action == 0x10000000
            ? "an extended clipboard provide of " + body + " bytes without the text format, of which noVNC reads only"
                + " the 4 bytes of flags and TigerVNC all"
            : "an extended clipboard message of " + body + " bytes whose flags make it " + canonical), body - 4);
  }

  private void dropCutText(long body, DropReason reason, String why, long left) {
    dropHeld();
    droppedMessages++;
    listener.dropped("ServerCutText", 8 + body, reason, why);
    if (left == 0) {
      expect(1, Step.TYPE);
    } else {
      skip(left, Step.DROPPED); // as it arrives, never buffered
    }
  }

  private void usePixelFormat(byte[] format) {
    int bpp = format[0] & 0xFF;
    int depth = format[1] & 0xFF;
    boolean trueColour = format[3] != 0;
    boolean max255 = u16(format, 4) == 255 && u16(format, 6) == 255 && u16(format, 8) == 255;
    bytesPerPixel = Math.max(1, bpp / 8);
    // Tight sends 3 bytes per pixel (TPIXEL) for TigerVNC's PixelFormat::is888(): 32 bpp, depth 24,
    // true colour, maxima 255 and byte-aligned shifts
    boolean aligned = (format[10] & 7) == 0 && (format[11] & 7) == 0 && (format[12] & 7) == 0;
    tightPixel = bpp == 32 && depth == 24 && trueColour && max255 && aligned ? 3 : bytesPerPixel;
  }

  /**
   * Why servers would frame Tight rectangles of this pixel format differently, or null when they
   * agree: libvncserver sends 3-byte Tight pixels for any depth 24 with maxima 255 (tight.c),
   * TigerVNC only for {@code is888()} (true colour, byte-aligned shifts). The gateway cannot
   * follow both, so such a SetPixelFormat is not forwarded.
   */
  static String ambiguousTightPixel(byte[] format) {
    int depth = format[1] & 0xFF;
    boolean max255 = u16(format, 4) == 255 && u16(format, 6) == 255 && u16(format, 8) == 255;
    if (depth != 24 || !max255) return null;
    boolean aligned = (format[10] & 7) == 0 && (format[11] & 7) == 0 && (format[12] & 7) == 0;
    boolean trueColour = format[3] != 0;
    if ((format[0] & 0xFF) == 32 && trueColour && aligned) return null;
    return "depth 24 with maxima 255 but not 32 bpp true colour with byte-aligned shifts (servers disagree on its Tight pixel size)";
  }

  private static RfbException malformed(String message) {
    return new RfbException(Cause.PROTOCOL_ERROR, message);
  }

  /** Formats waiting for fence answers up to {@code answer} take effect, in order. */
  private void applyFormatsUpTo(long answer) {
    for (PendingFormat p = pendingFormats.peek(); p != null && p.fence > 0 && p.fence <= answer; p = pendingFormats.peek()) {
      pendingFormats.poll();
      usePixelFormat(p.format);
    }
  }

  private record PendingFormat(byte[] format, long fence) {}
}
