package io.vncgate.gateway.failure;

/**
 * The closed set of failures a user can meet, each mapped once to an HTTP status and a WebSocket
 * close code. The words go in {@link GatewayException}'s message.
 */
public enum Status {
  BAD_REQUEST(400, 1008, "bad-request", "Bad request"),
  UNAUTHORIZED(401, 1008, "unauthorized", "No valid token"),
  FORBIDDEN(403, 1008, "forbidden", "Not allowed"),
  NOT_FOUND(404, 1008, "not-found", "Not found"),
  CONFLICT(409, 1008, "conflict", "Conflict"),
  /** A per-user or per-address limit was reached; trying again later (or with fewer) works. */
  TOO_MANY_REQUESTS(429, 1008, "too-many-requests", "A limit was reached"),
  /** The target or its provider could not be reached or refused us. */
  UPSTREAM_FAILED(502, 1011, "upstream-failed", "The target or its provider failed"),
  /** A provider or a target did not answer in time. */
  UPSTREAM_TIMEOUT(504, 1011, "upstream-timeout", "The target or its provider did not answer in time"),
  /** The gateway is starting or its providers are not ready. */
  UNAVAILABLE(503, 1013, "unavailable", "Not ready"),
  /**
   * The target refuses the gateway because of the gateway's configuration or credentials (no or a
   * wrong VNC password, blocked after failed logins, no common security type, not a VNC server, a
   * password file that cannot be read). Final: the same attempt fails the same way, and each retry
   * counts against the target's blacklist (TigerVNC blocks a source after 5), so clients must not
   * retry by themselves. The reason ends with {@link #NEEDS_OPERATOR_NOTE}; WebSocket close 4001.
   */
  NEEDS_OPERATOR(502, 4001, "needs-operator", "Only the operator can fix this"),
  /** The gateway is shutting down (SIGTERM): WebSocket close 1001 Going Away. */
  GOING_AWAY(503, 1001, "going-away", "The gateway is shutting down"),
  INTERNAL(500, 1011, "internal", "Internal failure");

  /**
   * Ends the reason of every {@link #NEEDS_OPERATOR} failure, in the RFB failure reason a viewer
   * shows: the web page (and any client) stops retrying when it sees it. A contract (docs/api.md).
   */
  public static final String NEEDS_OPERATOR_NOTE = "(not retried: the operator must fix this first)";

  /** The base of every problem type URI (RFC 9457 {@code type}); docs/api.md lists the slugs. */
  public static final String PROBLEM_BASE = "https://vncgate.io/problems/";

  private final int httpStatus;
  private final short closeCode;
  private final String slug;
  private final String title;

  Status(int httpStatus, int closeCode, String slug, String title) {
    this.httpStatus = httpStatus;
    this.closeCode = (short) closeCode;
    this.slug = slug;
    this.title = title;
  }

  /** The problem type URI of this failure, {@code https://vncgate.io/problems/<slug>} (a contract). */
  public String problemType() {
    return PROBLEM_BASE + slug;
  }

  /** The problem's short title, the same for every occurrence (the words go in {@code detail}). */
  public String title() {
    return title;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public short closeCode() {
    return closeCode;
  }
}
