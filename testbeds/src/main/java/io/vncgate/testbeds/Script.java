package io.vncgate.testbeds;

import java.util.List;

/** What a {@link ScriptedRfbServer} does with every connection; built by its builder. */
record Script(
    Opening opening,
    String banner,
    byte[] raw,
    boolean stall,
    List<Integer> securityTypes,
    String password,
    String refuseReason,
    String authFailReason,
    int width,
    int height,
    String desktopName,
    int fillColour) {

  /** How the server opens a connection. */
  enum Opening {
    /** Banner, security, ClientInit, ServerInit, then serve messages. */
    RFB,
    /** Send {@link #raw} and close, or stall when {@link #stall} is set. */
    RAW,
    /** Send nothing and keep the connection open. */
    STALL,
    /** Close at once. */
    CLOSE,
    /** TigerVNC's blacklist answer: 3.3 banner, type 0, "Too many security failures". */
    TOO_MANY_ATTEMPTS
  }

  static final String TOO_MANY = "Too many security failures";

  /** Minor version the banner announces: 3 for 3.3-3.6, 7, or 8 for anything newer. */
  int bannerMinor() {
    if (!banner.matches("RFB \\d{3}\\.\\d{3}\n")) {
      return 8;
    }
    int major = Integer.parseInt(banner.substring(4, 7));
    int minor = Integer.parseInt(banner.substring(8, 11));
    if (major > 3 || minor >= 8) {
      return 8;
    }
    return minor == 7 ? 7 : 3;
  }

  /** Offered types: explicit list, else [2] with a password, else [1]. */
  List<Integer> offeredTypes() {
    if (securityTypes != null) {
      return securityTypes;
    }
    return password != null ? List.of(2) : List.of(1);
  }
}
