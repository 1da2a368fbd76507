package io.vncgate.testbeds;

/**
 * How a WebSocket ended: the status code and reason of the close frame, or 1006 and null when
 * the connection dropped without one.
 */
public record WebSocketClose(int code, String reason) {
}
