package io.vncgate.gateway.relay;

import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.rfb.ClientMessageType;
import io.vncgate.gateway.rfb.CutText;
import io.vncgate.gateway.rfb.DropReason;
import io.vncgate.gateway.rfb.MessagePolicy;
import java.util.List;

/** Hooks for the roster, metrics and audit. Called on the connection's event loop. */
public interface ConnectionListener {

  /**
   * The viewer's ticket was redeemed: from here on the connection is the ticket's viewer, listed
   * (as connecting) until it relays or ends, however long the upstream handshake takes.
   */
  default void redeemed(ViewerConnection connection) {}

  /**
   * Both handshakes are done and the relay is about to start: the whitelist for this viewer's
   * messages, or null for no opinion. Decided before any viewer byte is framed.
   */
  default MessagePolicy joining(ViewerConnection connection) {
    return null;
  }

  /**
   * The viewer waits for a turn at its target ({@link UpstreamPacer}): where it stands, or null
   * once its upstream connection starts.
   */
  default void queued(ViewerConnection connection, UpstreamPacer.QueueState state) {}

  /** Bytes now flow. */
  default void relaying(ViewerConnection connection) {}

  /** A viewer message was dropped (role, clipboard policy or size). */
  default void dropped(ViewerConnection connection, ClientMessageType type, DropReason reason) {}

  /** A target message was dropped on its way to the viewer (clipboard policy or size). */
  default void droppedFromServer(ViewerConnection connection, String wireName, DropReason reason) {}

  /**
   * A clipboard text of the viewer's passed on to its target (a ClientCutText, or an extended
   * clipboard provide). Rare: only cut-text messages copy anything.
   */
  default void clipboardToTarget(ViewerConnection connection, CutText text) {}

  /** A clipboard text of the target's was passed on to the viewer (ServerCutText or a provide). */
  default void clipboardToViewer(ViewerConnection connection, CutText text) {}

  /** The connection ended before relaying, so. */
  default void handshakeFailed(String front, Outcome outcome) {}

  /** The connection ended (after relaying or not) with {@code outcome}; {@code reason} in words. */
  default void closed(ViewerConnection connection, Outcome outcome, String reason) {}

  /** Calls each listener in order; the first policy given wins, and none given means observer. */
  static ConnectionListener all(List<ConnectionListener> listeners) {
    return new ConnectionListener() {
      @Override
      public MessagePolicy joining(ViewerConnection c) {
        MessagePolicy chosen = null;
        for (ConnectionListener l : listeners) {
          MessagePolicy p = l.joining(c);
          if (chosen == null) chosen = p;
        }
        return chosen == null ? MessagePolicy.OBSERVER : chosen;
      }

      @Override
      public void redeemed(ViewerConnection c) {
        listeners.forEach(l -> l.redeemed(c));
      }

      @Override
      public void queued(ViewerConnection c, UpstreamPacer.QueueState state) {
        listeners.forEach(l -> l.queued(c, state));
      }

      @Override
      public void relaying(ViewerConnection c) {
        listeners.forEach(l -> l.relaying(c));
      }

      @Override
      public void dropped(ViewerConnection c, ClientMessageType type, DropReason reason) {
        listeners.forEach(l -> l.dropped(c, type, reason));
      }

      @Override
      public void droppedFromServer(ViewerConnection c, String wireName, DropReason reason) {
        listeners.forEach(l -> l.droppedFromServer(c, wireName, reason));
      }

      @Override
      public void clipboardToTarget(ViewerConnection c, CutText text) {
        listeners.forEach(l -> l.clipboardToTarget(c, text));
      }

      @Override
      public void clipboardToViewer(ViewerConnection c, CutText text) {
        listeners.forEach(l -> l.clipboardToViewer(c, text));
      }

      @Override
      public void handshakeFailed(String front, Outcome outcome) {
        listeners.forEach(l -> l.handshakeFailed(front, outcome));
      }

      @Override
      public void closed(ViewerConnection c, Outcome outcome, String reason) {
        listeners.forEach(l -> l.closed(c, outcome, reason));
      }
    };
  }
}
