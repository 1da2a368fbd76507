package io.vncgate.gateway.relay;

import io.vncgate.gateway.failure.Status;
import io.vncgate.gateway.rfb.RfbFailure;

/**
 * Which upstream failures only the operator can fix, and the words that tell them what to fix.
 * Retrying such a failure cannot succeed and, against TigerVNC, is harmful: a connection that ends
 * before authentication counts as a failed login, and five of them blacklist the gateway's address
 * for every user of that desktop. So these failures are final (their {@code Outcome} is): the
 * reason ends with {@link Status#NEEDS_OPERATOR_NOTE} and clients stop retrying.
 */
final class OperatorFailures {
  private OperatorFailures() {}

  /** The reason a viewer gets for an upstream handshake failure, with what to fix where it is known. */
  static String describe(String target, RfbFailure f) {
    return switch (f.cause()) {
      case PASSWORD_REQUIRED -> "target " + target + " requires a VNC password but none is configured: " + passwordSetting(target);
      case AUTH_FAILED -> "target " + target + ": " + f.message() + " (check the VNC password the gateway has for this target: "
          + passwordSetting(target) + ")";
      case TOO_MANY_ATTEMPTS -> "target " + target + ": " + f.message()
          + " (the VNC server is blocking the gateway after failed logins; fix the stored password, then wait)";
      default -> "target " + target + ": " + f.message();
    };
  }

  /** Where the target's VNC password is configured. */
  static String passwordSetting(String target) {
    int slash = target.indexOf('/');
    String provider = slash < 0 ? target : target.substring(0, slash);
    if (provider.equals("static")) {
      return "set providers.static.targets[" + target.substring(slash + 1) + "].password-file";
    }
    return "set its VNC password in providers." + provider + " (see docs/configuration.md)";
  }

  /** {@code reason} marked final. */
  static String finalReason(String reason) {
    return reason.endsWith(Status.NEEDS_OPERATOR_NOTE) ? reason : reason + " " + Status.NEEDS_OPERATOR_NOTE;
  }
}
