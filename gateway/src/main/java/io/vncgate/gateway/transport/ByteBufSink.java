package io.vncgate.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A write stream that can also take Netty buffers as they were read, without copying them into
 * Vert.x buffers. A {@link NetSocketUpstream} piped into one relays server bytes zero-copy: each
 * read goes out as it came, and the sink is flushed once per read burst instead of once per read.
 * Writes and flushes happen on the sink's event loop.
 */
public interface ByteBufSink extends WriteStream<Buffer> {

  /** Whether {@link #writeByteBuf} may be used now; when false, the pipe writes Vert.x buffers. */
  boolean acceptsByteBufs();

  /** Writes {@code buf}, taking ownership (it is released once written, or on failure). Not flushed. */
  void writeByteBuf(ByteBuf buf);

  /** Sends what was written since the last flush. */
  void flush();

  /**
   * How many of the source's next bytes are certain to come without anything being asked: what is
   * left of a message the source is sending (0 when unknown). Lets the source be read in larger
   * pieces ({@link BulkReads}).
   */
  default long bytesAhead() {
    return 0;
  }
}
