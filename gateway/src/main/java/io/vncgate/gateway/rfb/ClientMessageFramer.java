package io.vncgate.gateway.rfb;

import static io.vncgate.gateway.rfb.ClientMessageType.CLIENT_CUT_TEXT;
import static io.vncgate.gateway.rfb.ClientMessageType.CLIPBOARD_CAPS;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.ClientMessageType.Wire;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Frames the viewer's client-to-server messages after the handshake, one whole message at a
 * time, and forwards only those the current {@link MessagePolicy} allows, in their canonical
 * form: what the server receives is exactly what the gateway judged.
 *
 * <p>Canonical means the message is framed as the servers read it (TigerVNC's SMsgReader,
 * libvncserver's rfbserver.c, QEMU's ui/vnc.c), its declared length agrees with its structure,
 * and its padding is zero. A message whose declared length disagrees with its structure (an
 * extended-clipboard caps, request, peek or notify with trailing bytes, which Xvnc would parse as
 * further messages) is dropped and counted, for every role. A message that is already canonical
 * (the usual case) is forwarded as the very bytes that came in; only one that is not is copied
 * (padding zeroed, a pointer event's ambiguous marker bit cleared).
 *
 * <p>Partial messages wait in one accumulation buffer. A message is judged when its header is
 * framed, by the policy of that moment. Dropped messages and clipboard-like messages larger than
 * the cap are never buffered: their bytes are skipped as they arrive. Not thread-safe except
 * {@link #policy(MessagePolicy)}: feed from one thread (the connection's event loop).
 */
public final class ClientMessageFramer {

  /**
   * Told once per dropped message: {@code reason} for metrics, {@code why} in words for logs (it
   * starts with {@value #MALFORMED} when the reason is {@link DropReason#MALFORMED}).
   */
  public interface Listener {
    void dropped(ClientMessageType type, long bytes, DropReason reason, String why);
  }

  /** How the reason of a message dropped for its structure starts. */
  public static final String MALFORMED = "malformed: ";

  /** Told when a SetPixelFormat is forwarded (the server side's framing depends on it). */
  public interface FormatListener {
    /**
     * @param afterSyncFence the message right before was a ClientFence request with SyncNext: the
     *     target's answer to it marks where the new format starts
     */
    void pixelFormatSent(byte[] pixelFormat, boolean afterSyncFence);

    /**
     * The same, with where the format takes effect on the way back.
     *
     * @param fence 0: at the next FramebufferUpdate; n: at the target's answer to the n-th
     *     ClientFence request forwarded on this connection
     * @param gatewayFence that fence request is the gateway's own, sent right before the
     *     SetPixelFormat: its answer must not reach the viewer
     */
    default void pixelFormatSent(byte[] pixelFormat, long fence, boolean gatewayFence) {
      pixelFormatSent(pixelFormat, fence > 0);
    }
  }

  /** Told of each clipboard text the framer passes (a classic ClientCutText or an extended provide); for the audit. */
  public interface ClipboardListener {
    void passed(CutText text);
  }

  /** Longest clipboard cap accepted: whole messages up to the cap are buffered in memory. */
  public static final long MAX_CLIPBOARD_BYTES = 1L << 30;

  static final int MAX_FENCE_PAYLOAD = 64;

  private static final int CAPS = 0x01000000;
  private static final int CLIPBOARD_REQUEST = 0x02000000;
  private static final int CLIPBOARD_PEEK = 0x04000000;
  private static final int CLIPBOARD_NOTIFY = 0x08000000;
  private static final int CLIPBOARD_PROVIDE = 0x10000000;
  private static final int FENCE_REQUEST = 0x80000000;
  private static final int FENCE_SYNC_NEXT = 0x4;
  /** The gateway's own fence before a SetPixelFormat: request, BlockBefore, SyncNext. */
  private static final int GATEWAY_FENCE_FLAGS = FENCE_REQUEST | 0x1 | FENCE_SYNC_NEXT;
  private static final int ACTION_MASK = 0xFF000000;
  private static final long TEXT_CHAT_NO_DATA = 0xFFFFFFFDL;

  private final long clipboardMaxBytes;
  private final boolean clipboardAllowed;
  private final Listener listener;
  private volatile MessagePolicy policy;

  private final ByteQueue in = new ByteQueue();
  private final ForwardedRuns out = new ForwardedRuns();
  private final HeldInput held = new HeldInput();
  /** The policy the pending message was judged by, and the one the held input was last released for. */
  private MessagePolicy judgedBy;
  private MessagePolicy releasedUnder;
  private long skipRemaining;
  private long pendingLength = -1;
  private ClientMessageType pendingType;
  private boolean extendedPointer;
  private volatile boolean serverExtendedPointer;
  private boolean extendedClipboard;
  private long passed;
  private long dropped;
  private RfbException failure;
  private FormatListener formatListener = (f, s) -> { };
  private ClipboardListener clipboardListener;
  private boolean afterSyncFence;
  private long fenceRequests;
  private boolean updatesRequested;
  private volatile boolean serverFences;
  private LongSupplier updatesBegun = () -> 0;
  private LongSupplier updatesDone = () -> 1;
  /** Updates begun when the last update request was forwarded. */
  private long updatesBegunAtRequest;

  /**
   * Set by {@link #frameHeader}: the message being framed, its capped body (-1: none), and why
   * its declared length disagrees with its structure (null: it agrees).
   */
  private ClientMessageType type;
  private long cappedBody;
  private String malformed;
  /** Set by {@link #judge()} with a non-null answer. */
  private DropReason dropReason;

  public ClientMessageFramer(MessagePolicy policy, long clipboardMaxBytes, boolean clipboardAllowed,
      Listener listener) {
    if (clipboardMaxBytes < 0 || clipboardMaxBytes > MAX_CLIPBOARD_BYTES) {
      throw new IllegalArgumentException("clipboardMaxBytes must be 0.." + MAX_CLIPBOARD_BYTES
          + ", got " + clipboardMaxBytes);
    }
    this.policy = Objects.requireNonNull(policy, "policy");
    this.releasedUnder = policy;
    this.clipboardMaxBytes = clipboardMaxBytes;
    this.clipboardAllowed = clipboardAllowed;
    this.listener = listener == null ? (t, b, r, w) -> { } : listener;
  }

  /** Who hears about forwarded SetPixelFormat messages (the server-side framer). */
  public void formatListener(FormatListener listener) {
    this.formatListener = Objects.requireNonNull(listener, "listener");
  }

  /** Who hears of the clipboard texts passed (copies, taken only of those messages). */
  public void clipboardListener(ClipboardListener listener) {
    this.clipboardListener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Switches the policy; messages whose header is framed from now on are judged by it, and an
   * input message still arriving is forwarded only if the new policy allows it too. Keys and
   * pointer buttons the viewer holds down and may no longer send are released by the next
   * {@link #feed} (an empty one will do): a take-over never leaves Shift or a drag down on the
   * desktop. May be called from any thread.
   */
  public void policy(MessagePolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /**
   * The releases of every key and pointer button the viewer holds down on the target, which are
   * then forgotten; empty when none is. For a viewer leaving an upstream that stays open (a fan-out
   * session), on the framer's thread.
   */
  public Buffer releaseHeld() {
    return held.releaseAll();
  }

  private static boolean isInput(ClientMessageType t) {
    return t == ClientMessageType.KEY_EVENT || t == ClientMessageType.QEMU_KEY_EVENT || t == ClientMessageType.POINTER_EVENT;
  }

  public MessagePolicy policy() {
    return policy;
  }

  /**
   * Frames {@code data} and returns the whole allowed messages in it (with what was pending),
   * concatenated, each in its canonical form (the bytes that came when they are canonical already);
   * possibly empty, possibly a slice sharing bytes with {@code data}, and {@code data} itself when
   * nothing was pending and all of it passed unchanged (the usual case). Before a SetPixelFormat the
   * gateway may add a fence of its own ({@link #pixelFormatSent(int, Buffer)}).
   * Nothing returned refers to {@code data} after the next feed, and the framer keeps no
   * reference to it: a partial message left over is copied.
   *
   * @throws RfbException VIEWER_PROTOCOL_ERROR for an unknown or malformed message; nothing from
   *     this feed is returned and every later feed throws the same: close the connection
   */
  public Buffer feed(Buffer data) throws RfbException {
    if (failure != null) {
      throw failure;
    }
    in.append(data);
    long passedBefore = passed;
    MessagePolicy now = policy;
    if (now != releasedUnder) {
      releasedUnder = now;
      // control may have moved away while keys or buttons were down: let them go first
      Buffer releases = held.any() ? held.releases(now) : null;
      if (releases != null && releases.length() > 0) out.addCopy(in, releases);
    }
    try {
      frame();
    } catch (RfbException e) {
      failure = e;
      passed = passedBefore;
      in.clear();
      out.reset();
      throw e;
    }
    Buffer forwarded = out.finish(in);
    in.settle(pendingLength);
    return forwarded;
  }

  public long messagesPassed() {
    return passed;
  }

  public long messagesDropped() {
    return dropped;
  }

  /** Bytes held for an incomplete message (tests: skipped messages are never held). */
  int buffered() {
    return in.available();
  }

  /** Whether the viewer's last forwarded SetEncodings advertised extended mouse buttons (-316). */
  public boolean extendedPointer() {
    return extendedPointer;
  }

  /**
   * The target sent the ExtendedMouseButtons pseudo-rectangle (-316, seen by the server-side
   * framer): it reads 7-byte pointer events while the viewer's SetEncodings lists -316. Until then
   * pointer events are framed as 6 bytes, and one with the marker bit (0x80) set while the viewer
   * lists -316 is forwarded with the bit cleared, so a server that supports the extension (and
   * reads 7 bytes on the viewer's word alone, as TigerVNC 1.15 does) and one that does not (Xvnc
   * 1.12) both read 6. May be called from any thread.
   */
  public void extendedPointerConfirmed() {
    serverExtendedPointer = true;
  }

  /**
   * The target sent a fence request (seen by the server-side framer): it supports fences, so the
   * gateway may synchronise a SetPixelFormat with one of its own. May be called from any thread.
   */
  public void serverFencesConfirmed() {
    serverFences = true;
  }

  /**
   * Where the server side is: FramebufferUpdates begun and seen whole (for a SetPixelFormat to a
   * target without fences, {@link #pixelFormatSent(int, Buffer)}). Unset, every SetPixelFormat
   * counts from the next update.
   */
  public void updateProgress(LongSupplier begun, LongSupplier done) {
    this.updatesBegun = Objects.requireNonNull(begun, "begun");
    this.updatesDone = Objects.requireNonNull(done, "done");
  }

  /** Whether the viewer's last forwarded SetEncodings advertised the extended clipboard. */
  public boolean extendedClipboard() {
    return extendedClipboard;
  }

  private void frame() throws RfbException {
    while (true) {
      if (skipRemaining > 0) {
        int n = (int) Math.min(skipRemaining, in.available());
        in.skip(n);
        skipRemaining -= n;
        if (skipRemaining > 0) {
          return;
        }
      }
      int avail = in.available();
      if (pendingLength < 0) {
        if (avail == 0) {
          return;
        }
        long length = frameHeader(avail);
        if (length < 0) {
          return;
        }
        String why = judge();
        if (why != null) {
          dropped++;
          skipRemaining = length;
          listener.dropped(type, length, dropReason, why);
          continue;
        }
        pendingLength = length;
        pendingType = type;
      }
      if (avail < pendingLength) {
        return;
      }
      int length = (int) pendingLength;
      if (isInput(pendingType)) {
        MessagePolicy now = policy;
        if (now != judgedBy && !now.allows(pendingType)) {
          // judged by its header before control moved away, whole only after: the new role decides
          dropped++;
          listener.dropped(pendingType, length, DropReason.ROLE, now.describe());
          in.skip(length);
          pendingLength = -1;
          continue;
        }
        held.passed(pendingType, in, length);
      }
      Buffer canonical;
      if (pendingType == ClientMessageType.SET_ENCODINGS) {
        trackEncodings(length);
        canonical = narrowEncodings(length);
        if (canonical == null) canonical = zeroed(length, 1, 2, -1, -1);
      } else {
        canonical = canonical(pendingType, length);
        if (pendingType == ClientMessageType.SET_PIXEL_FORMAT) {
          canonical = pixelFormatSent(length, canonical);
        }
      }
      afterSyncFence = pendingType == ClientMessageType.CLIENT_FENCE
          && (in.s32(4) & (FENCE_REQUEST | FENCE_SYNC_NEXT)) == (FENCE_REQUEST | FENCE_SYNC_NEXT);
      if (pendingType == ClientMessageType.CLIENT_FENCE && (in.s32(4) & FENCE_REQUEST) != 0) {
        fenceRequests++;
      }
      if (pendingType == ClientMessageType.FRAMEBUFFER_UPDATE_REQUEST
          || pendingType == ClientMessageType.ENABLE_CONTINUOUS_UPDATES) {
        updatesRequested = true;
        updatesBegunAtRequest = updatesBegun.getAsLong();
      }
      if (pendingType == CLIENT_CUT_TEXT && clipboardListener != null) cutTextPassed(length);
      if (canonical == null) {
        out.add(in, length);
      } else {
        out.addCopy(in, canonical);
      }
      in.skip(length);
      passed++;
      pendingLength = -1;
    }
  }

  /** The whole ClientCutText at the read position passes: a classic text or an extended provide is told. */
  private void cutTextPassed(int length) {
    int len = in.s32(4);
    if (len >= 0) {
      clipboardListener.passed(CutText.classic(in.bytes(8, length - 8)));
    } else if (length >= 12 && (in.s32(8) & ACTION_MASK) == CLIPBOARD_PROVIDE) {
      clipboardListener.passed(CutText.provide(in.s32(8), in.bytes(12, length - 12)));
    }
  }

  /**
   * Tells the server side where the forwarded SetPixelFormat takes effect, and returns what to
   * forward for it. The target applies it to the updates it begins after reading it; updates it
   * began before may still be on their way, so "the next update" is exact only before the first
   * update request. After one, the viewer's own synchronising fence (TigerVNC's way) marks the
   * switch; without it, and when the target supports fences, the gateway sends its own
   * (request, BlockBefore, SyncNext) right before the SetPixelFormat and drops the answer, so a
   * viewer cannot make the gateway frame updates in a format the target is not using. A target
   * without fences: the next update is exact once an update begun after the last request has
   * been seen whole (no request outstanding: TigerVNC's viewer waits for that); before, the
   * SetPixelFormat is dropped ({@link #judge}).
   */
  private Buffer pixelFormatSent(int length, Buffer canonical) {
    byte[] format = new byte[ServerInit.PIXEL_FORMAT_LENGTH];
    for (int i = 0; i < 13; i++) format[i] = (byte) in.u8(4 + i);
    if (afterSyncFence) {
      formatListener.pixelFormatSent(format, fenceRequests, false);
      return canonical;
    }
    if (!updatesRequested || !serverFences) {
      formatListener.pixelFormatSent(format, 0, false);
      return canonical;
    }
    fenceRequests++;
    formatListener.pixelFormatSent(format, fenceRequests, true);
    Buffer withFence = Buffer.buffer(9 + length)
        .appendByte((byte) Wire.CLIENT_FENCE).appendBytes(new byte[3]).appendInt(GATEWAY_FENCE_FLAGS).appendByte((byte) 0);
    return canonical != null ? withFence.appendBuffer(canonical) : withFence.appendBuffer(in.slice(in.position(), in.position() + length));
  }

  /** Null when the framed message passes, else why it is dropped (and {@link #dropReason} set). */
  private String judge() {
    MessagePolicy current = policy;
    judgedBy = current;
    if (!current.allows(type)) {
      dropReason = DropReason.ROLE;
      return current.describe();
    }
    boolean clipboard = type == CLIENT_CUT_TEXT || type == CLIPBOARD_CAPS;
    if (clipboard && !clipboardAllowed) {
      dropReason = DropReason.POLICY;
      return "clipboard to server disabled";
    }
    dropReason = DropReason.MALFORMED;
    if (cappedBody > clipboardMaxBytes) {
      dropReason = DropReason.SIZE;
      String what = switch (type) {
        case ULTRA_FILE_TRANSFER -> "file transfer ";
        case TEXT_CHAT -> "text chat ";
        default -> "clipboard ";
      };
      return what + cappedBody + " bytes exceeds the limit of " + clipboardMaxBytes + " bytes";
    }
    if (malformed == null && type == ClientMessageType.SET_PIXEL_FORMAT && !afterSyncFence && updatesRequested
        && !serverFences && updatesDone.getAsLong() <= updatesBegunAtRequest) {
      // an update begun before the target reads it may be on its way, in the old format
      return MALFORMED + "a SetPixelFormat while an update request is outstanding, to a target without fences:"
          + " where the format changes could not be known";
    }
    return malformed == null ? null : MALFORMED + malformed;
  }

  /**
   * Sets {@link #type} and {@link #cappedBody} and returns the message's whole length, or -1 when
   * more bytes are needed to know it.
   */
  private long frameHeader(int avail) throws RfbException {
    cappedBody = -1;
    malformed = null;
    int wireType = in.u8(0);
    switch (wireType) {
      case Wire.SET_PIXEL_FORMAT: return avail < 20 ? -1 : setPixelFormat();
      case Wire.SET_ENCODINGS:
        if (avail < 4) {
          return -1;
        }
        type = ClientMessageType.SET_ENCODINGS;
        return 4 + 4L * in.u16(2);
      case Wire.FRAMEBUFFER_UPDATE_REQUEST: return fixed(ClientMessageType.FRAMEBUFFER_UPDATE_REQUEST, 10);
      case Wire.KEY_EVENT: return fixed(ClientMessageType.KEY_EVENT, 8);
      case Wire.POINTER_EVENT:
        if (avail < 2) {
          return -1;
        }
        type = ClientMessageType.POINTER_EVENT;
        // 7 bytes only when both ends agreed on the extension: the viewer lists it (the server
        // reads its latest SetEncodings in the same order) and the server confirmed it
        return extendedPointer && serverExtendedPointer && (in.u8(1) & 0x80) != 0 ? 7 : 6;
      case Wire.CLIENT_CUT_TEXT: return avail < 8 ? -1 : cutText(avail);
      case Wire.FILE_TRANSFER:
        if (avail < 12) {
          return -1;
        }
        type = ClientMessageType.ULTRA_FILE_TRANSFER;
        cappedBody = in.u32(8);
        if (cappedBody != 0 && !fileTransferHasData(in.u8(1), in.u8(2))) {
          malformed = "a FileTransfer of content type " + in.u8(1) + "/" + in.u8(2) + " with " + cappedBody
              + " bytes of data, which libvncserver does not read (it takes them for messages)";
        }
        return 12 + cappedBody;
      case Wire.SET_SCALE: return fixed(ClientMessageType.ULTRA_SET_SCALE, 4);
      case Wire.SET_SERVER_INPUT: return fixed(ClientMessageType.ULTRA_SET_SERVER_INPUT, 4);
      case Wire.SET_SW: return fixed(ClientMessageType.ULTRA_SET_SW, 6);
      case Wire.TEXT_CHAT:
        if (avail < 8) {
          return -1;
        }
        type = ClientMessageType.TEXT_CHAT;
        long chat = in.u32(4);
        cappedBody = chat >= TEXT_CHAT_NO_DATA ? 0 : chat;
        return 8 + cappedBody;
      case Wire.ENABLE_CONTINUOUS_UPDATES: return fixed(ClientMessageType.ENABLE_CONTINUOUS_UPDATES, 10);
      case Wire.CLIENT_FENCE: return avail < 9 ? -1 : fence();
      case Wire.XVP: return fixed(ClientMessageType.XVP, 4);
      case Wire.SET_DESKTOP_SIZE: return avail < 8 ? -1 : setDesktopSize();
      case Wire.GII:
        if (avail < 4) {
          return -1;
        }
        type = ClientMessageType.GII;
        boolean bigEndian = (in.u8(1) & 0x80) != 0;
        return 4 + (bigEndian ? in.u16(2) : in.u16le(2));
      case Wire.QEMU: return qemu(avail);
      default:
        throw malformed("viewer sent unknown RFB message type " + wireType);
    }
  }

  private long fixed(ClientMessageType t, int length) {
    type = t;
    return length;
  }

  /**
   * {@code 8 + abs(S32 len)}; negative: extended clipboard, whose flags say caps or another
   * action. Every server reads the whole declared length of a classic message, and libvncserver
   * and QEMU of an extended one; Xvnc reads only {@code 4 + 4·formats} bytes of caps and 4 of
   * request, peek and notify (SMsgReader::readExtendedClipboard), and treats a negative length as
   * extended even when the viewer did not enable it, where libvncserver and QEMU close: so those
   * disagreements are {@link #malformed}. Provide is a zlib stream Xvnc reads to its declared end.
   */
  private long cutText(int avail) throws RfbException {
    int len = in.s32(4);
    long body = Math.abs((long) len);
    type = CLIENT_CUT_TEXT;
    cappedBody = body;
    if (len >= 0) {
      return 8 + body;
    }
    if (!extendedClipboard) {
      malformed = "an extended clipboard message (negative length) but the viewer's SetEncodings does not"
          + " enable the extended clipboard (0xC0A1E5CE)";
      return 8 + body;
    }
    if (body < 4) {
      throw malformed("viewer sent an extended clipboard message of " + body
          + " bytes, too short for its flags");
    }
    if (avail < 12) {
      return -1;
    }
    int flags = in.s32(8);
    int action = flags & ACTION_MASK;
    if ((action & CAPS) != 0) {
      // caps lists the actions its sender supports beside the caps bit: servers read it as caps
      // whatever else is set (Xvnc's SMsgReader::readExtendedClipboard tests `action & clipboardCaps`)
      type = CLIPBOARD_CAPS;
      long canonical = 4 + 4L * Integer.bitCount(flags & 0xFFFF);
      if (body != canonical) {
        malformed = "an extended clipboard caps message of " + body + " bytes, but its "
            + Integer.bitCount(flags & 0xFFFF) + " formats make it " + canonical;
      }
      return 8 + body;
    }
    switch (action) {
      case CLIPBOARD_REQUEST, CLIPBOARD_PEEK, CLIPBOARD_NOTIFY -> {
        if (body != 4) {
          malformed = "an extended clipboard " + actionName(action) + " message of " + body
              + " bytes, but it is its 4 bytes of flags only";
        }
      }
      case CLIPBOARD_PROVIDE -> { }
      default -> malformed = "an extended clipboard message whose action bits 0x"
          + Integer.toHexString(action >>> 24) + " are neither caps nor exactly one of request, peek, notify, provide";
    }
    return 8 + body;
  }

  /**
   * Whether libvncserver's rfbProcessFileTransfer reads the {@code length} bytes after an UltraVNC
   * FileTransfer header: directory content (1/1), file transfer request (3), file packet (5),
   * offer (8) and command (10); for the others the length is "garbage" to it and nothing is read.
   */
  private static boolean fileTransferHasData(int contentType, int contentParam) {
    return contentType == 1 && contentParam == 1 || contentType == 3 || contentType == 5 || contentType == 8
        || contentType == 10;
  }

  private static String actionName(int action) {
    return switch (action) {
      case CLIPBOARD_REQUEST -> "request";
      case CLIPBOARD_PEEK -> "peek";
      default -> "notify";
    };
  }

  /**
   * 20 bytes. Servers close the connection on bits per pixel other than 8, 16 and 32; a format
   * whose Tight pixel size servers disagree on ({@link ServerMessageFramer#ambiguousTightPixel})
   * would make the server-side framing differ from the server's: both are {@link #malformed}.
   */
  private long setPixelFormat() {
    type = ClientMessageType.SET_PIXEL_FORMAT;
    int bpp = in.u8(4);
    if (bpp != 8 && bpp != 16 && bpp != 32) {
      malformed = "a SetPixelFormat of " + bpp + " bits per pixel (servers take 8, 16 or 32)";
    } else {
      byte[] format = in.bytes(4, ServerInit.PIXEL_FORMAT_LENGTH);
      String why = ServerMessageFramer.ambiguousTightPixel(format);
      if (why != null) malformed = "a SetPixelFormat of " + why;
    }
    return 20;
  }

  /**
   * The canonical form of the whole message at the read position when it differs from the bytes
   * that came (a copy), else null: padding zeroed; a 6-byte pointer event with the marker bit set
   * while the viewer lists ExtendedMouseButtons and the server has not confirmed it, with the bit
   * cleared ({@link #extendedPointerConfirmed}).
   */
  private Buffer canonical(ClientMessageType t, int length) {
    return switch (t) {
      case SET_PIXEL_FORMAT -> zeroed(length, 1, 4, 17, 20);
      case KEY_EVENT -> zeroed(length, 2, 4, -1, -1);
      case CLIENT_CUT_TEXT, CLIPBOARD_CAPS, CLIENT_FENCE -> zeroed(length, 1, 4, -1, -1);
      case SET_DESKTOP_SIZE -> zeroed(length, 1, 2, 7, 8);
      case XVP -> zeroed(length, 1, 2, -1, -1);
      case POINTER_EVENT -> {
        if (length != 6 || !extendedPointer || (in.u8(1) & 0x80) == 0) yield null;
        Buffer copy = Buffer.buffer(in.bytes(0, length));
        copy.setByte(1, (byte) (in.u8(1) & 0x7F));
        yield copy;
      }
      default -> null;
    };
  }

  /** A copy with bytes [from, to) and [from2, to2) zeroed, or null when they are zero already. */
  private Buffer zeroed(int length, int from, int to, int from2, int to2) {
    boolean clean = true;
    for (int i = from; i < to; i++) clean &= in.u8(i) == 0;
    for (int i = from2; i < to2; i++) clean &= in.u8(i) == 0;
    if (clean) {
      return null;
    }
    byte[] bytes = in.bytes(0, length);
    for (int i = from; i < to; i++) bytes[i] = 0;
    for (int i = from2; i < to2; i++) bytes[i] = 0;
    return Buffer.buffer(bytes);
  }

  private long fence() throws RfbException {
    int payload = in.u8(8);
    if (payload > MAX_FENCE_PAYLOAD) {
      throw malformed("viewer sent a ClientFence with " + payload
          + " bytes of payload, more than the limit of " + MAX_FENCE_PAYLOAD);
    }
    type = ClientMessageType.CLIENT_FENCE;
    return 9 + payload;
  }

  private long setDesktopSize() throws RfbException {
    int width = in.u16(2);
    int height = in.u16(4);
    int screens = in.u8(6);
    if (screens == 0 || width == 0 || height == 0) {
      throw malformed("viewer sent a malformed SetDesktopSize (" + width + "x" + height + ", "
          + screens + " screens)");
    }
    type = ClientMessageType.SET_DESKTOP_SIZE;
    return 8 + 16L * screens;
  }

  /** 255/0 extended key event (12), 255/1 audio: 4, or 10 for set-format. */
  private long qemu(int avail) throws RfbException {
    if (avail < 2) {
      return -1;
    }
    int subtype = in.u8(1);
    if (subtype == 0) {
      return fixed(ClientMessageType.QEMU_KEY_EVENT, 12);
    }
    if (subtype != 1) {
      throw malformed("viewer sent unknown QEMU message subtype " + subtype);
    }
    if (avail < 4) {
      return -1;
    }
    int operation = in.u16(2);
    if (operation > 2) {
      throw malformed("viewer sent unknown QEMU audio operation " + operation);
    }
    return fixed(ClientMessageType.QEMU_AUDIO, operation == 2 ? 10 : 4);
  }

  /**
   * The SetEncodings without the encodings the gateway cannot frame on the way back
   * ({@link Encodings#canFrame}), or null when nothing had to go.
   */
  private Buffer narrowEncodings(int length) {
    int count = (length - 4) / 4;
    int kept = 0;
    for (int at = 4; at < length; at += 4) {
      if (Encodings.canFrame(in.s32(at))) kept++;
    }
    if (kept == count) {
      return null;
    }
    Buffer narrowed = Buffer.buffer(4 + 4 * kept).appendByte((byte) Wire.SET_ENCODINGS).appendByte((byte) 0).appendUnsignedShort(kept);
    for (int at = 4; at < length; at += 4) {
      int encoding = in.s32(at);
      if (Encodings.canFrame(encoding)) narrowed.appendInt(encoding);
    }
    return narrowed;
  }

  /** The latest SetEncodings replaces the set: re-read the two pseudo-encodings we care about. */
  private void trackEncodings(int length) {
    boolean pointer = false;
    boolean clipboard = false;
    for (int at = 4; at < length; at += 4) {
      int encoding = in.s32(at);
      pointer |= encoding == Encodings.EXTENDED_MOUSE_BUTTONS;
      clipboard |= encoding == Encodings.EXTENDED_CLIPBOARD;
    }
    extendedPointer = pointer;
    extendedClipboard = clipboard;
  }

  private static RfbException malformed(String message) {
    return new RfbException(Cause.VIEWER_PROTOCOL_ERROR, message);
  }
}
