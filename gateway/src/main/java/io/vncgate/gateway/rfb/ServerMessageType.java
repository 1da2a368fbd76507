package io.vncgate.gateway.rfb;

/** Server-to-client RFB message types, the first byte of each (rfb-reference.md §4). */
public final class ServerMessageType {
  public static final int FRAMEBUFFER_UPDATE = 0;
  public static final int SET_COLOUR_MAP_ENTRIES = 1;
  public static final int BELL = 2;
  public static final int SERVER_CUT_TEXT = 3;
  public static final int END_OF_CONTINUOUS_UPDATES = 150;
  public static final int SERVER_FENCE = 248;
  public static final int XVP = 250;
  /** QEMU messages, told apart by a subtype. */
  public static final int QEMU = 255;

  private ServerMessageType() {}
}
