package io.vncgate.gateway.rfb;

/** Client-to-server RFB messages the framer knows (rfb-reference.md §3). */
public enum ClientMessageType {
  SET_PIXEL_FORMAT(0, "SetPixelFormat"),
  SET_ENCODINGS(2, "SetEncodings"),
  FRAMEBUFFER_UPDATE_REQUEST(3, "FramebufferUpdateRequest"),
  KEY_EVENT(4, "KeyEvent"),
  POINTER_EVENT(5, "PointerEvent"),
  CLIENT_CUT_TEXT(6, "ClientCutText"),
  /** An extended-clipboard ClientCutText whose only action is caps. */
  CLIPBOARD_CAPS(6, "ClipboardCaps"),
  ULTRA_FILE_TRANSFER(7, "FileTransfer"),
  ULTRA_SET_SCALE(8, "SetScale"),
  ULTRA_SET_SERVER_INPUT(9, "SetServerInput"),
  ULTRA_SET_SW(10, "SetSW"),
  TEXT_CHAT(11, "TextChat"),
  ENABLE_CONTINUOUS_UPDATES(150, "EnableContinuousUpdates"),
  CLIENT_FENCE(248, "ClientFence"),
  XVP(250, "xvp"),
  SET_DESKTOP_SIZE(251, "SetDesktopSize"),
  GII(253, "gii"),
  QEMU_KEY_EVENT(255, "QEMUExtendedKeyEvent"),
  QEMU_AUDIO(255, "QEMUAudio");

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
