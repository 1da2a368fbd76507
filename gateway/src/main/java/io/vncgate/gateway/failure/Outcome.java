package io.vncgate.gateway.failure;

import io.vncgate.gateway.rfb.RfbFailure;
import org.slf4j.event.Level;

/**
 * The closed set of ways a viewer's connection ends, each mapped once to what the edges show: the
 * HTTP status (for failures answered before a WebSocket exists), the WebSocket close code, the
 * words of the RFB failure reason (the base; the connection appends the details, such as the
 * target's name), the {@code cause} label of {@code vncgate_handshake_failures_total}, the audit
 * event, the log level and who is at fault. Decisions are made on the outcome, never on its words:
 * rewording a reason changes nothing else. (Guacamole's {@code GuacamoleStatus} is the model.)
 *
 * <p>Codes the web page and scripts act on (docs/api.md): 1000 a normal end (the viewer or the VNC
 * server ended it), 1001 the gateway stops, 1008 the viewer or an operator caused it, 1011 the
 * target's side failed, 1013 the gateway is not ready, 4001 final (only the operator can fix it;
 * do not retry), 4002 idle ({@code server.idle-timeout}; reconnect when needed, not by yourself).
 */
public enum Outcome {
  // the viewer's side
  /** The viewer closed its connection (or its connection dropped). */
  VIEWER_LEFT(200, 1000, "the viewer disconnected", "viewer-left", Fault.VIEWER, Level.INFO),
  /** The viewer broke RFB (in the handshake, by sending too much in it, or while relaying). */
  VIEWER_PROTOCOL(400, 1008, "the viewer broke the RFB protocol", "viewer-protocol", Fault.VIEWER, Level.INFO),
  /** The viewer did not complete its RFB handshake within {@code server.handshake-timeout}. */
  VIEWER_TIMEOUT(408, 1008, "the viewer did not complete the RFB handshake", "viewer-timeout", Fault.VIEWER, Level.INFO),
  /** Nothing passed between viewer and target for {@code server.idle-timeout}. */
  IDLE(408, 4002, "idle (server.idle-timeout); reconnect to continue", "idle", Fault.VIEWER, Level.INFO),
  /**
   * A viewer of a fan-out session whose connection took no screen update for
   * {@code sessions.fan-out-stall-timeout}: cut off so it holds nothing of the session.
   */
  VIEWER_STALLED(408, 1008, "the viewer took no screen update for too long", "viewer-stalled", Fault.VIEWER, Level.INFO),
  /** No ticket, or not a valid one (used, expired, mistyped). */
  TICKET_REFUSED(401, 1008, "the ticket is not valid", "ticket", Fault.VIEWER, Level.INFO),
  /** The viewer's address failed too many redemptions ({@code limits.tickets}). */
  TICKET_THROTTLED(429, 1008, "too many invalid tickets from this address", "ticket-throttled", Fault.VIEWER, Level.INFO),
  /** The provider does not know the target. */
  TARGET_UNKNOWN(404, 1008, "no such target", "target-unknown", Fault.VIEWER, Level.INFO),
  /** The provider does not let this user open the target. */
  TARGET_FORBIDDEN(403, 1008, "this user may not open the target", "target-forbidden", Fault.VIEWER, Level.INFO),

  // an operator
  /** An operator (or the session's end) ended the connection. */
  TERMINATED(409, 1008, "ended by an operator", "terminated", Fault.OPERATOR, Level.INFO),
  /** The gateway is stopping (SIGTERM). */
  GOING_AWAY(503, 1001, "the gateway is shutting down", "shutdown", Fault.OPERATOR, Level.INFO),
  /** The gateway's settings for this target are wrong (provider configuration, host keys). */
  MISCONFIGURED(502, 4001, "the gateway's settings for this target are wrong", "misconfigured", Fault.OPERATOR, Level.ERROR),
  /** The target wants a VNC password and none is configured. */
  PASSWORD_REQUIRED(502, 4001, "the target requires a VNC password but none is configured", "password-required",
      Fault.OPERATOR, Level.ERROR),
  /** The target rejected the stored VNC password. */
  AUTH_FAILED(502, 4001, "the target rejected the VNC password", "auth-failed", Fault.OPERATOR, Level.ERROR),
  /** The target blocks the gateway after failed logins. */
  TOO_MANY_ATTEMPTS(502, 4001, "the target blocks the gateway after failed logins", "too-many-attempts", Fault.OPERATOR,
      Level.ERROR),
  /** The target offers no security type the gateway can use. */
  NO_COMMON_SECURITY(502, 4001, "the target offers no security type the gateway supports", "no-common-security",
      Fault.OPERATOR, Level.ERROR),
  /** The target's VNC password is kept on its host and could not be read. */
  PASSWORD_UNREADABLE(502, 4001, "the target's stored VNC password cannot be read", "password", Fault.OPERATOR, Level.ERROR),
  /** The target is not a VNC server: another protocol's banner. */
  NOT_RFB(502, 4001, "the target is not a VNC server", "not-rfb", Fault.OPERATOR, Level.ERROR),
  /** The target is an UltraVNC repeater. */
  REPEATER(502, 4001, "the target is a VNC repeater, not a VNC server", "repeater", Fault.OPERATOR, Level.ERROR),
  /** The target speaks an RFB version older than 3.3. */
  UNSUPPORTED_VERSION(502, 4001, "the target's RFB version is not supported", "unsupported-version", Fault.OPERATOR,
      Level.ERROR),
  /** The target accepted the connection but sent no banner within {@code server.banner-timeout}. */
  NO_BANNER(502, 4001, "the target sent no RFB banner", "no-banner", Fault.OPERATOR, Level.ERROR),
  /** The same settings failed in a way that counts against the target's blacklist moments ago: not tried. */
  HELD(502, 4001, "the gateway did not try again", "held", Fault.OPERATOR, Level.ERROR),

  // the target's side
  /** The VNC server ended the session (after the desktop was shown): a normal end. */
  TARGET_ENDED(200, 1000, "the VNC server closed the connection", "target-ended", Fault.TARGET, Level.INFO),
  /** The connection to the target broke while relaying (reset, SSH session dropped). */
  TARGET_LOST(502, 1011, "the connection to the target was lost", "target-lost", Fault.TARGET, Level.ERROR),
  /** The target closed the connection during the RFB handshake. */
  TARGET_CLOSED(502, 1011, "the target closed the connection during the RFB handshake", "closed", Fault.TARGET,
      Level.ERROR),
  /** The target or its provider could not be reached. */
  UNREACHABLE(502, 1011, "the target is unreachable", "unreachable", Fault.TARGET, Level.ERROR),
  /** The target (or its provider) did not answer in time. */
  TARGET_TIMEOUT(504, 1011, "the target did not answer in time", "timeout", Fault.TARGET, Level.ERROR),
  /** The target refused the connection and said why. */
  TARGET_REFUSED(502, 1011, "the target refused the connection", "server-refused", Fault.TARGET, Level.ERROR),
  /**
   * The target refuses the gateway's address for a while (TigerVNC's blacklist: "Too many security
   * failures" right after the banner, before any password was sent): waited out by the pacer while
   * the viewer's handshake time allows; not the stored password's fault, so not final.
   */
  ADDRESS_BLOCKED(503, 1013, "the target is refusing connections from the gateway's address for a while",
      "address-blocked", Fault.TARGET, Level.WARN),
  /** The viewer's handshake time ran out while it waited for a turn at the target (limits.upstream). */
  QUEUED_TOO_LONG(504, 1011, "waited too long for a turn at the target", "queued", Fault.TARGET, Level.WARN),
  /** The target broke RFB. */
  TARGET_PROTOCOL(502, 1011, "the target broke the RFB protocol", "target-protocol", Fault.TARGET, Level.ERROR),

  // the gateway
  /** The gateway is starting or its providers are not ready. */
  NOT_READY(503, 1013, "the gateway is not ready", "not-ready", Fault.GATEWAY, Level.WARN),
  /** Too many viewers already wait for this target ({@code limits.upstream.queue-per-target}). */
  QUEUE_FULL(503, 1013, "too many viewers are waiting for this target", "queue-full", Fault.GATEWAY, Level.WARN),
  /** A bug or an unexpected failure in the gateway; its log says why. */
  INTERNAL(500, 1011, "internal error in the gateway; its operator's log says why", "internal", Fault.GATEWAY, Level.ERROR);

  /** Who caused an outcome: what the operator's log and dashboards separate. */
  public enum Fault { VIEWER, TARGET, OPERATOR, GATEWAY }

  /** The audit event of connections that were never admitted (no valid ticket). */
  public static final String AUDIT_REFUSED = "auth.refused";
  /** The audit event of admitted connections when they end. */
  public static final String AUDIT_LEFT = "viewer.left";

  private final int httpStatus;
  private final short closeCode;
  private final String words;
  private final String label;
  private final Fault fault;
  private final Level logLevel;

  Outcome(int httpStatus, int closeCode, String words, String label, Fault fault, Level logLevel) {
    this.httpStatus = httpStatus;
    this.closeCode = (short) closeCode;
    this.words = words;
    this.label = label;
    this.fault = fault;
    this.logLevel = logLevel;
  }

  /** The HTTP status when this outcome is answered before a WebSocket exists. */
  public int httpStatus() {
    return httpStatus;
  }

  public short closeCode() {
    return closeCode;
  }

  /** The base words of the reason; the connection adds what it knows (target, duration, setting). */
  public String words() {
    return words;
  }

  /** The {@code cause} label of the metrics, unique per outcome. */
  public String label() {
    return label;
  }

  public Fault fault() {
    return fault;
  }

  public Level logLevel() {
    return logLevel;
  }

  /** The audit event of a connection that ends so. */
  public String auditEvent() {
    return this == TICKET_REFUSED || this == TICKET_THROTTLED ? AUDIT_REFUSED : AUDIT_LEFT;
  }

  /**
   * Only the operator can fix it: the same attempt fails the same way and, against TigerVNC, counts
   * against the gateway's address. The reason ends with {@link Status#NEEDS_OPERATOR_NOTE}; clients
   * must not retry by themselves (close code 4001).
   */
  public boolean isFinal() {
    return closeCode == 4001;
  }

  /** A normal end, not a failure: the viewer or the VNC server ended the session. */
  public boolean isNormal() {
    return closeCode == 1000;
  }

  /** An upstream setup failure reported as a gateway failure (provider, connector, password read). */
  public static Outcome of(GatewayException g) {
    return switch (g.status()) {
      case NOT_FOUND -> TARGET_UNKNOWN;
      case FORBIDDEN -> TARGET_FORBIDDEN;
      case UPSTREAM_TIMEOUT -> TARGET_TIMEOUT;
      case NEEDS_OPERATOR -> MISCONFIGURED;
      case UNAVAILABLE -> NOT_READY;
      case UPSTREAM_FAILED -> UNREACHABLE;
      case GOING_AWAY -> GOING_AWAY;
      case BAD_REQUEST, UNAUTHORIZED, CONFLICT, TOO_MANY_REQUESTS, INTERNAL -> INTERNAL;
    };
  }

  /** The target's RFB handshake failed so. */
  public static Outcome ofTarget(RfbFailure.Cause cause) {
    return switch (cause) {
      case NOT_RFB -> NOT_RFB;
      case REPEATER -> REPEATER;
      case UNSUPPORTED_VERSION -> UNSUPPORTED_VERSION;
      case SERVER_REFUSED -> TARGET_REFUSED;
      case NO_COMMON_SECURITY -> NO_COMMON_SECURITY;
      case PASSWORD_REQUIRED -> PASSWORD_REQUIRED;
      case AUTH_FAILED -> AUTH_FAILED;
      case TOO_MANY_ATTEMPTS -> TOO_MANY_ATTEMPTS;
      case ADDRESS_BLOCKED -> ADDRESS_BLOCKED;
      case PROTOCOL_ERROR, VIEWER_PROTOCOL_ERROR, VIEWER_AUTH_FAILED -> TARGET_PROTOCOL;
    };
  }
}
