package io.vncgate.gateway.rfb;

/** Client-to-server RFB messages the framer knows (rfb-reference.md §3). */
public enum ClientMessageType {
  SET_PIXEL_FORMAT(Wire.SET_PIXEL_FORMAT, "SetPixelFormat"),
  SET_ENCODINGS(Wire.SET_ENCODINGS, "SetEncodings"),
  FRAMEBUFFER_UPDATE_REQUEST(Wire.FRAMEBUFFER_UPDATE_REQUEST, "FramebufferUpdateRequest"),
  KEY_EVENT(Wire.KEY_EVENT, "KeyEvent"),
  POINTER_EVENT(Wire.POINTER_EVENT, "PointerEvent"),
  CLIENT_CUT_TEXT(Wire.CLIENT_CUT_TEXT, "ClientCutText"),
  /** An extended-clipboard ClientCutText whose only action is caps. */
  CLIPBOARD_CAPS(Wire.CLIENT_CUT_TEXT, "ClipboardCaps"),
  ULTRA_FILE_TRANSFER(Wire.FILE_TRANSFER, "FileTransfer"),
  ULTRA_SET_SCALE(Wire.SET_SCALE, "SetScale"),
  ULTRA_SET_SERVER_INPUT(Wire.SET_SERVER_INPUT, "SetServerInput"),
  ULTRA_SET_SW(Wire.SET_SW, "SetSW"),
  TEXT_CHAT(Wire.TEXT_CHAT, "TextChat"),
  ENABLE_CONTINUOUS_UPDATES(Wire.ENABLE_CONTINUOUS_UPDATES, "EnableContinuousUpdates"),
  CLIENT_FENCE(Wire.CLIENT_FENCE, "ClientFence"),
  XVP(Wire.XVP, "xvp"),
  SET_DESKTOP_SIZE(Wire.SET_DESKTOP_SIZE, "SetDesktopSize"),
  GII(Wire.GII, "gii"),
  QEMU_KEY_EVENT(Wire.QEMU, "QEMUExtendedKeyEvent"),
  QEMU_AUDIO(Wire.QEMU, "QEMUAudio");

  /** The message types' first bytes, for switches and for messages the gateway writes itself. */
  public static final class Wire {
    public static final int SET_PIXEL_FORMAT = 0;
    public static final int SET_ENCODINGS = 2;
    public static final int FRAMEBUFFER_UPDATE_REQUEST = 3;
    public static final int KEY_EVENT = 4;
    public static final int POINTER_EVENT = 5;
    public static final int CLIENT_CUT_TEXT = 6;
    public static final int FILE_TRANSFER = 7;
    public static final int SET_SCALE = 8;
    public static final int SET_SERVER_INPUT = 9;
    public static final int SET_SW = 10;
    public static final int TEXT_CHAT = 11;
    public static final int ENABLE_CONTINUOUS_UPDATES = 150;
    public static final int CLIENT_FENCE = 248;
    public static final int XVP = 250;
    public static final int SET_DESKTOP_SIZE = 251;
    public static final int GII = 253;
    public static final int QEMU = 255;

    private Wire() {}
  }

  private final int wireType;
  private final String wireName;

  ClientMessageType(int wireType, String wireName) {
    this.wireType = wireType;
    this.wireName = wireName;
  }

  /** The message name as specs and logs spell it, e.g. {@code "KeyEvent"}; for metric labels. */
  public String wireName() {
    return wireName;
  }

  /** The first byte of the message on the wire (QEMU messages share 255 and differ by subtype). */
  public int wireType() {
    return wireType;
  }
}
