package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.nio.charset.StandardCharsets;

/** The three RFB versions vncgate speaks, and how peers' banners map onto them. */
public enum RfbVersion {
  V3_3(3),
  V3_7(7),
  V3_8(8);

  /** A ProtocolVersion message is always 12 bytes: {@code "RFB xxx.yyy\n"}. */
  public static final int BANNER_LENGTH = 12;

  private static final byte[] PATTERN = "RFB 000.000\n".getBytes(StandardCharsets.US_ASCII);

  private final int minor;

  RfbVersion(int minor) {
    this.minor = minor;
  }

  /** {@code "RFB 003.00x\n"}, a new buffer on every call. */
  public Buffer banner() {
    return Buffer.buffer("RFB 003.00" + minor + "\n");
  }

  /**
   * Maps a server's banner, quirks included (rfb-reference.md §1): 3.3 to 3.6 and UltraVNC's 3.14
   * and 3.16 are 3.3, 3.7 is 3.7, anything above (3.8, Apple's 3.889, 4.x, 5.x) is 3.8.
   *
   * @throws RfbException REPEATER for {@code 000.000}, NOT_RFB for anything that is not a banner,
   *     UNSUPPORTED_VERSION below 3.3
   */
  public static RfbVersion fromServerBanner(byte[] twelveBytes) throws RfbException {
    if (!isBanner(twelveBytes)) {
      throw new RfbException(Cause.NOT_RFB, notRfbMessage(twelveBytes, twelveBytes.length));
    }
    int major = number(twelveBytes, 4);
    int minor = number(twelveBytes, 8);
    if (major == 0 && minor == 0) {
      throw new RfbException(Cause.REPEATER,
          "this is an UltraVNC repeater (RFB 000.000), not a VNC server");
    }
    if (major > 3) {
      return V3_8;
    }
    if (major < 3 || minor < 3) {
      throw new RfbException(Cause.UNSUPPORTED_VERSION,
          "the server speaks RFB " + versionText(twelveBytes) + ", older than the oldest supported 3.3");
    }
    if (minor == 7) {
      return V3_7;
    }
    if (minor < 7 || minor == 14 || minor == 16) {
      return V3_3;
    }
    return V3_8;
  }

  /**
   * Maps a viewer's reply to our {@code RFB 003.008}: minor 8 and above is 3.8, 7 is 3.7, anything
   * else 3.3; a major above 3 is 3.8.
   *
   * @throws RfbException VIEWER_PROTOCOL_ERROR when it is not a banner or its major is below 3
   */
  public static RfbVersion fromViewerBanner(byte[] twelveBytes) throws RfbException {
    if (!isBanner(twelveBytes)) {
      throw new RfbException(Cause.VIEWER_PROTOCOL_ERROR,
          "viewer " + notRfbMessage(twelveBytes, twelveBytes.length));
    }
    int major = number(twelveBytes, 4);
    int minor = number(twelveBytes, 8);
    if (major < 3) {
      throw new RfbException(Cause.VIEWER_PROTOCOL_ERROR,
          "viewer asked for RFB " + versionText(twelveBytes) + ", older than the oldest supported 3.3");
    }
    if (major > 3 || minor >= 8) {
      return V3_8;
    }
    return minor == 7 ? V3_7 : V3_3;
  }

  /** True while {@code bytes[0..length)} can still become a banner. */
  static boolean isBannerPrefix(byte[] bytes, int length) {
    for (int i = 0; i < length && i < BANNER_LENGTH; i++) {
      byte p = PATTERN[i];
      byte b = bytes[i];
      boolean ok = p == '0' ? b >= '0' && b <= '9' : b == p;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String notRfbMessage(byte[] received, int length) {
    return "did not speak RFB: got '" + RfbText.printable(received, length) + "'";
  }

  private static boolean isBanner(byte[] bytes) {
    return bytes != null && bytes.length == BANNER_LENGTH && isBannerPrefix(bytes, BANNER_LENGTH);
  }

  private static int number(byte[] b, int at) {
    return (b[at] - '0') * 100 + (b[at + 1] - '0') * 10 + (b[at + 2] - '0');
  }

  private static String versionText(byte[] banner) {
    return new String(banner, 4, 7, StandardCharsets.US_ASCII);
  }
}
