package io.vncgate.gateway.rfb;

/** RFB security type numbers vncgate speaks, and names for the ones it meets. */
final class SecurityTypes {

  static final int INVALID = 0;
  static final int NONE = 1;
  static final int VNC_AUTH = 2;
  static final int VENCRYPT = 19;

  static final String SUPPORTED = describe(NONE) + ", " + describe(VNC_AUTH);

  private SecurityTypes() {}

  static String name(long type) {
    if (type < 0 || type > 255) {
      return "unknown";
    }
    return switch ((int) type) {
      case INVALID -> "Invalid";
      case NONE -> "None";
      case VNC_AUTH -> "VNC Authentication";
      case 5, 6, 13, 129, 130, 133 -> "RSA-AES";
      case 7, 8 -> "SSPI";
      case 16 -> "Tight";
      case 17 -> "Ultra";
      case 18 -> "TLS";
      case 19 -> "VeNCrypt";
      case 20 -> "SASL";
      case 21 -> "MD5";
      case 22 -> "xvp";
      case 30 -> "Apple ARD Diffie-Hellman";
      case 113 -> "MSLogonII";
      default -> "unknown";
    };
  }

  /** {@code "19 (VeNCrypt)"}. */
  static String describe(long type) {
    return type + " (" + name(type) + ")";
  }

  /** The message for an offer with nothing usable in it. */
  static String noCommonType(long[] offered) {
    StringBuilder sb = new StringBuilder("no supported security type: server offered ");
    for (int i = 0; i < offered.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(describe(offered[i]));
    }
    return sb.append("; vncgate supports ").append(SUPPORTED).toString();
  }
}
