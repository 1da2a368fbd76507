package io.vncgate.gateway.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.failure.Outcome;

/** The viewer's side of a connection, whatever front it came through. */
public interface ViewerChannel {

  /** Bytes from the viewer (for WebSocket: the payload of binary frames only). */
  ReadStream<Buffer> input();

  /** Bytes to the viewer. */
  WriteStream<Buffer> output();

  /** Closes after pending writes, telling the viewer why where the front can (WebSocket close reason). */
  void close(Outcome outcome, String reason);

  /** Closes normally. */
  void close();

  /** {@code ws} or {@code tcp}. */
  String front();

  /** The viewer's address, for logs. */
  String remote();
}
