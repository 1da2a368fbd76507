package io.vncgate.gateway.rfb;

import static io.vncgate.gateway.rfb.ClientMessageType.CLIENT_CUT_TEXT;
import static io.vncgate.gateway.rfb.ClientMessageType.CLIPBOARD_CAPS;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Objects;

/**
 * Frames the viewer's client-to-server messages after the handshake, one whole message at a
 * time, and forwards only those the current {@link MessagePolicy} allows, byte for byte.
 *
 * <p>Partial messages wait in one accumulation buffer. A message is judged when its header is
 * framed, by the policy of that moment. Dropped messages and clipboard-like messages larger than
 * the cap are never buffered: their bytes are skipped as they arrive. Not thread-safe except
 * {@link #policy(MessagePolicy)}: feed from one thread (the connection's event loop).
 */
public final class ClientMessageFramer {

  /** Told once per dropped message, for metrics and logs. */
  public interface Listener {
    void dropped(ClientMessageType type, long bytes, String why);
  }

  /** Told when a SetPixelFormat is forwarded (the server side's framing depends on it). */
  public interface FormatListener {
    /**
     * @param afterSyncFence the message right before was a ClientFence request with SyncNext: the
     *     target's answer to it marks where the new format starts
     */
    void pixelFormatSent(byte[] pixelFormat, boolean afterSyncFence);
  }

  /** Longest clipboard cap accepted: whole messages up to the cap are buffered in memory. */
  public static final long MAX_CLIPBOARD_BYTES = 1L << 30;

  static final int EXTENDED_MOUSE_BUTTONS = -316;
  static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;
  static final int MAX_FENCE_PAYLOAD = 64;

  private static final int CAPS_ONLY = 0x01000000;
  private static final int FENCE_REQUEST = 0x80000000;
  private static final int FENCE_SYNC_NEXT = 0x4;
  private static final int ACTION_MASK = 0xFF000000;
  private static final long TEXT_CHAT_NO_DATA = 0xFFFFFFFDL;

  private final long clipboardMaxBytes;
  private final boolean clipboardAllowed;
  private final Listener listener;
  private volatile MessagePolicy policy;

  private final ByteQueue in = new ByteQueue();
  private final ForwardedRuns out = new ForwardedRuns();
  private long skipRemaining;
  private long pendingLength = -1;
  private ClientMessageType pendingType;
  private boolean extendedPointer;
  private boolean extendedClipboard;
  private long passed;
  private long dropped;
  private RfbException failure;
  private FormatListener formatListener = (f, s) -> { };
  private boolean afterSyncFence;

  /** Set by {@link #frameHeader}: the message being framed and its capped body (-1: none). */
  private ClientMessageType type;
  private long cappedBody;

  public ClientMessageFramer(MessagePolicy policy, long clipboardMaxBytes, boolean clipboardAllowed,
      Listener listener) {
    if (clipboardMaxBytes < 0 || clipboardMaxBytes > MAX_CLIPBOARD_BYTES) {
      throw new IllegalArgumentException("clipboardMaxBytes must be 0.." + MAX_CLIPBOARD_BYTES
          + ", got " + clipboardMaxBytes);
    }
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clipboardMaxBytes = clipboardMaxBytes;
    this.clipboardAllowed = clipboardAllowed;
    this.listener = listener == null ? (t, b, w) -> { } : listener;
  }

  /** Who hears about forwarded SetPixelFormat messages (the server-side framer). */
  public void formatListener(FormatListener listener) {
    this.formatListener = Objects.requireNonNull(listener, "listener");
  }

  /** Switches the policy; messages whose header is framed from now on are judged by it. */
  public void policy(MessagePolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  public MessagePolicy policy() {
    return policy;
  }

  /**
   * Frames {@code data} and returns the whole allowed messages in it (with what was pending),
   * concatenated and untouched; possibly empty, possibly a slice sharing bytes with {@code data},
   * and {@code data} itself when nothing was pending and all of it passed (the usual case).
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
          listener.dropped(type, length, why);
          continue;
        }
        pendingLength = length;
        pendingType = type;
      }
      if (avail < pendingLength) {
        return;
      }
      int length = (int) pendingLength;
      Buffer narrowed = null;
      if (pendingType == ClientMessageType.SET_ENCODINGS) {
        trackEncodings(length);
        narrowed = narrowEncodings(length);
      } else if (pendingType == ClientMessageType.SET_PIXEL_FORMAT) {
        byte[] format = new byte[ServerInit.PIXEL_FORMAT_LENGTH];
        for (int i = 0; i < format.length; i++) format[i] = (byte) in.u8(4 + i);
        formatListener.pixelFormatSent(format, afterSyncFence);
      }
      afterSyncFence = pendingType == ClientMessageType.CLIENT_FENCE
          && (in.s32(4) & (FENCE_REQUEST | FENCE_SYNC_NEXT)) == (FENCE_REQUEST | FENCE_SYNC_NEXT);
      if (narrowed == null) {
        out.add(in, length);
      } else {
        out.addCopy(in, narrowed);
      }
      in.skip(length);
      passed++;
      pendingLength = -1;
    }
  }

  /** Null when the framed message passes, else why it is dropped. */
  private String judge() {
    MessagePolicy current = policy;
    if (!current.allows(type)) {
      return current.describe();
    }
    boolean clipboard = type == CLIENT_CUT_TEXT || type == CLIPBOARD_CAPS;
    if (clipboard && !clipboardAllowed) {
      return "clipboard to server disabled";
    }
    if (cappedBody > clipboardMaxBytes) {
      String what = switch (type) {
        case ULTRA_FILE_TRANSFER -> "file transfer ";
        case TEXT_CHAT -> "text chat ";
        default -> "clipboard ";
      };
      return what + cappedBody + " bytes exceeds the limit of " + clipboardMaxBytes + " bytes";
    }
    return null;
  }

  /**
   * Sets {@link #type} and {@link #cappedBody} and returns the message's whole length, or -1 when
   * more bytes are needed to know it.
   */
  private long frameHeader(int avail) throws RfbException {
    cappedBody = -1;
    int wireType = in.u8(0);
    switch (wireType) {
      case 0: return fixed(ClientMessageType.SET_PIXEL_FORMAT, 20);
      case 2:
        if (avail < 4) {
          return -1;
        }
        type = ClientMessageType.SET_ENCODINGS;
        return 4 + 4L * in.u16(2);
      case 3: return fixed(ClientMessageType.FRAMEBUFFER_UPDATE_REQUEST, 10);
      case 4: return fixed(ClientMessageType.KEY_EVENT, 8);
      case 5:
        if (avail < 2) {
          return -1;
        }
        type = ClientMessageType.POINTER_EVENT;
        return extendedPointer && (in.u8(1) & 0x80) != 0 ? 7 : 6;
      case 6: return avail < 8 ? -1 : cutText(avail);
      case 7:
        if (avail < 12) {
          return -1;
        }
        type = ClientMessageType.ULTRA_FILE_TRANSFER;
        cappedBody = in.u32(8);
        return 12 + cappedBody;
      case 8: return fixed(ClientMessageType.ULTRA_SET_SCALE, 4);
      case 9: return fixed(ClientMessageType.ULTRA_SET_SERVER_INPUT, 4);
      case 10: return fixed(ClientMessageType.ULTRA_SET_SW, 6);
      case 11:
        if (avail < 8) {
          return -1;
        }
        type = ClientMessageType.TEXT_CHAT;
        long chat = in.u32(4);
        cappedBody = chat >= TEXT_CHAT_NO_DATA ? 0 : chat;
        return 8 + cappedBody;
      case 150: return fixed(ClientMessageType.ENABLE_CONTINUOUS_UPDATES, 10);
      case 248: return avail < 9 ? -1 : fence();
      case 250: return fixed(ClientMessageType.XVP, 4);
      case 251: return avail < 8 ? -1 : setDesktopSize();
      case 253:
        if (avail < 4) {
          return -1;
        }
        type = ClientMessageType.GII;
        boolean bigEndian = (in.u8(1) & 0x80) != 0;
        return 4 + (bigEndian ? in.u16(2) : in.u16le(2));
      case 255: return qemu(avail);
      default:
        throw malformed("viewer sent unknown RFB message type " + wireType);
    }
  }

  private long fixed(ClientMessageType t, int length) {
    type = t;
    return length;
  }

  /** {@code 8 + abs(S32 len)}; negative and negotiated: extended clipboard, flags decide caps. */
  private long cutText(int avail) throws RfbException {
    int len = in.s32(4);
    long body = Math.abs((long) len);
    type = CLIENT_CUT_TEXT;
    if (len < 0 && extendedClipboard) {
      if (body < 4) {
        throw malformed("viewer sent an extended clipboard message of " + body
            + " bytes, too short for its flags");
      }
      if (avail < 12) {
        return -1;
      }
      if ((in.s32(8) & ACTION_MASK) == CAPS_ONLY) {
        type = CLIPBOARD_CAPS;
      }
    }
    cappedBody = body;
    return 8 + body;
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
    Buffer narrowed = Buffer.buffer(4 + 4 * kept).appendByte((byte) 2).appendByte((byte) 0).appendUnsignedShort(kept);
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
      pointer |= encoding == EXTENDED_MOUSE_BUTTONS;
      clipboard |= encoding == EXTENDED_CLIPBOARD;
    }
    extendedPointer = pointer;
    extendedClipboard = clipboard;
  }

  private static RfbException malformed(String message) {
    return new RfbException(Cause.VIEWER_PROTOCOL_ERROR, message);
  }
}
