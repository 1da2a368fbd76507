package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.failure.Outcome;

/** The viewer's side of a connection, whatever front it came through. */
public interface ViewerChannel {

  /** Bytes from the viewer (for WebSocket: the payload of binary frames only). */
  ReadStream<Buffer> input();

  /** Bytes to the viewer. */
  WriteStream<Buffer> output();

  /**
   * Readies {@link #output()} for the server's bytes, before the relay starts: large payloads are
   * spliced into it from the server's socket where its socket allows and {@code mode} says so.
   */
  void prepareForRelay(ZeroCopy mode);

  /**
   * Keeps what waits for the viewer short, for a sender that writes without being asked (a fan-out
   * viewer's continuous updates): see {@code ChannelOutput.shortQueues}. On the connection's loop.
   */
  default void shortQueues() {}

  /**
   * Writes {@code goAhead} in the clear, then runs a TLS handshake as server on this connection
   * (VeNCrypt); from then on {@link #input()} and {@link #output()} carry the bytes inside TLS.
   * Fails with a message in words when the handshake fails, or where the front has no TLS to give.
   */
  default Future<Void> startTls(Buffer goAhead) {
    return Future.failedFuture("this front has no TLS to start");
  }

  /** Closes after pending writes, telling the viewer why where the front can (WebSocket close reason). */
  void close(Outcome outcome, String reason);

  /** Closes normally. */
  void close();

  /** {@code ws} or {@code tcp}. */
  String front();

  /**
   * The viewer's IP address, without the port: what both fronts count connections and failed
   * ticket guesses by ({@code limits.connections.per-address}, {@code limits.tickets.failures-per-address}).
   */
  String address();

  /** The viewer's address and port, for logs and the audit trail. */
  String remote();
}
