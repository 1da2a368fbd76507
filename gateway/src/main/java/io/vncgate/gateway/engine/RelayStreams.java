package io.vncgate.gateway.engine;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The two halves of a relay, as write streams to pipe each side's input into: they count, judge
 * and forward the bytes, without a copy where the streams allow (the Netty buffers as read, and
 * large server payloads spliced socket to socket once the viewer's side was readied for it,
 * {@code prepareForRelay}). Any write streams will do; those of this package's sockets relay
 * zero-copy.
 */
public final class RelayStreams {
  private RelayStreams() {
  }

  /**
   * The server→viewer half: what {@code framing} forwards goes to {@code viewer}.
   *
   * @param relayed counts the bytes written to the viewer
   * @param spliced counts those of them spliced (never in the gateway's memory)
   * @param onActivity run per write
   * @param onError told once when the server's bytes broke the framing; nothing more is forwarded
   */
  public static WriteStream<Buffer> toViewer(PayloadFraming framing, WriteStream<Buffer> viewer, AtomicLong relayed,
      AtomicLong spliced, Runnable onActivity, Consumer<Exception> onError) {
    return new FilteringWriteStream(framing, new CountingWriteStream(viewer, relayed, spliced, onActivity), onError);
  }

  /**
   * The viewer→server half: what {@code framing} passes goes to {@code server}.
   *
   * @param relayed counts the bytes written to the server
   * @param onActivity run per write
   * @param onError told once when the viewer's bytes broke the framing (read as Netty buffers;
   *     through {@code write} the write fails instead); nothing more is forwarded
   */
  public static WriteStream<Buffer> toServer(MessageFraming framing, WriteStream<Buffer> server, AtomicLong relayed,
      Runnable onActivity, Consumer<Throwable> onError) {
    return new FramingWriteStream(framing, new CountingWriteStream(server, relayed, onActivity), onError);
  }
}
