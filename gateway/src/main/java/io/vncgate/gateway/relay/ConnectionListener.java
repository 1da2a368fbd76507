package io.vncgate.gateway.relay;

import io.vncgate.gateway.rfb.ClientMessageType;

/** Hooks for the roster, metrics and audit. Called on the connection's event loop. */
public interface ConnectionListener {

  /** The handshake finished on both sides; bytes now flow. */
  default void relaying(ViewerConnection connection) {}

  /** A viewer message was dropped (role, clipboard policy or size). */
  default void dropped(ViewerConnection connection, ClientMessageType type, String why) {}

  /** The connection failed before relaying; {@code cause} is a short label for metrics. */
  default void handshakeFailed(String front, String cause) {}

  /** The connection ended (after relaying or not). */
  default void closed(ViewerConnection connection, String reason) {}

  ConnectionListener NONE = new ConnectionListener() {};
}
