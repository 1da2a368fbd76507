package io.vncgate.gateway.rfb;

import java.util.Objects;

/**
 * Why an RFB exchange failed, in words fit for a viewer, a log line and a WebSocket close reason.
 *
 * @param cause   the kind of failure, mapped once at the edge to statuses and close codes
 * @param message plain words without a "target X:" prefix (the caller adds it) and never a secret
 */
public record RfbFailure(Cause cause, String message) {

  /** The closed set of RFB failures. */
  public enum Cause {
    /** The target answered with something that is not an RFB banner (HTTP, SSH, TLS...). */
    NOT_RFB,
    /** The target is an UltraVNC repeater ({@code RFB 000.000}), not a VNC server. */
    REPEATER,
    /** The target speaks an RFB version older than 3.3. */
    UNSUPPORTED_VERSION,
    /** The target refused the connection and said why (security type 0 or an empty type list). */
    SERVER_REFUSED,
    /** The target offers no security type that vncgate can use. */
    NO_COMMON_SECURITY,
    /** The target wants VNC authentication and no password is configured. */
    PASSWORD_REQUIRED,
    /** The target rejected the credentials. */
    AUTH_FAILED,
    /** The target rejected the credentials and says it saw too many failed authentications. */
    TOO_MANY_ATTEMPTS,
    /**
     * The target refused this connection right after its banner, before any credentials were
     * sent, saying "too many": it blocks the gateway's address for a while (TigerVNC's blacklist).
     */
    ADDRESS_BLOCKED,
    /** The target broke the protocol (oversized or malformed fields). */
    PROTOCOL_ERROR,
    /** The viewer broke the protocol. */
    VIEWER_PROTOCOL_ERROR,
    /** The viewer failed the gateway's own authentication. */
    VIEWER_AUTH_FAILED
  }

  public RfbFailure {
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(message, "message");
  }
}
