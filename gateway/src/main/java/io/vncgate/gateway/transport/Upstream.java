package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.OptionalLong;

/**
 * A connected byte stream to a target's VNC server, whatever carries it (TCP, an SSH channel, an
 * upstream WebSocket). Both streams honour backpressure: {@code input()} stops reading while
 * paused, {@code output()} reports {@code writeQueueFull()} and calls its drain handler. All
 * handlers run on the Vert.x context the upstream was connected from.
 */
public interface Upstream {

  /** Bytes from the VNC server. Ends (end handler) when the server or the transport closes. */
  ReadStream<Buffer> input();

  /** Bytes to the VNC server. */
  WriteStream<Buffer> output();

  /**
   * Called once when the transport ends for a reason other than our own {@link #close()}: a
   * transport-level explanation such as "SSH session to box1 dropped: connection reset", or
   * {@code null} when the server simply closed the stream.
   */
  Upstream closeHandler(Handler<String> reasonHandler);

  /** Closes the stream and what it alone holds (not a shared SSH session). Idempotent. */
  Future<Void> close();

  /** For logs: the route, never a secret. */
  String describe();

  /**
   * The round trip to the VNC server's end of the transport, in microseconds, as the kernel has
   * measured it on the connection (TCP's smoothed round trip; 0 on a Unix socket, the same host),
   * or empty when the transport does not know it (an SSH channel, a transport without the native
   * epoll transport). Any thread.
   */
  default OptionalLong roundTripMicros() {
    return OptionalLong.empty();
  }

  /**
   * Reads a small file on the host this transport ends at (the last SSH hop), over the
   * transport's own session, without blocking: e.g. a VNC password kept there. Completes on this
   * upstream's context with the file's bytes, which the caller owns and should zero after use.
   * Fails with a {@link TransportException} in plain words ("No such file or directory", "the
   * file is larger than 1024 bytes ...") that never contain the file's contents. A transport
   * without such a host (plain TCP) fails at once.
   *
   * @param path an absolute path on that host
   * @param maxBytes the largest file accepted
   */
  default Future<byte[]> readRemoteFile(String path, int maxBytes) {
    return Future.failedFuture(new TransportException("reading a file on the host needs an SSH route, not "
        + describe()));
  }
}
