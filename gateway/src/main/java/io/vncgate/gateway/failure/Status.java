package io.vncgate.gateway.failure;

/**
 * The closed set of failures a user can meet, each mapped once to an HTTP status and a WebSocket
 * close code. The words go in {@link GatewayException}'s message.
 */
public enum Status {
  BAD_REQUEST(400, 1008),
  UNAUTHORIZED(401, 1008),
  FORBIDDEN(403, 1008),
  NOT_FOUND(404, 1008),
  CONFLICT(409, 1008),
  /** A per-user or per-address limit was reached; trying again later (or with fewer) works. */
  TOO_MANY_REQUESTS(429, 1008),
  /** The target or its provider could not be reached or refused us. */
  UPSTREAM_FAILED(502, 1011),
  /** A provider or a target did not answer in time. */
  UPSTREAM_TIMEOUT(504, 1011),
  /** The gateway is starting or its providers are not ready. */
  UNAVAILABLE(503, 1013),
  INTERNAL(500, 1011);

  private final int httpStatus;
  private final short closeCode;

  Status(int httpStatus, int closeCode) {
    this.httpStatus = httpStatus;
    this.closeCode = (short) closeCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public short closeCode() {
    return closeCode;
  }
}
