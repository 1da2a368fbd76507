package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.FileDescriptor;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;

/**
 * A write stream that can also take Netty buffers as they were read, without copying them into
 * Vert.x buffers. A socket's input ({@link ByteBufInput}) piped into one relays its bytes
 * zero-copy: each read goes out as it came, and the sink is flushed once per read burst instead of
 * once per read. Writes and flushes happen on the sink's event loop. Any other write stream takes
 * part through {@link #of} (it takes Vert.x buffers only).
 */
interface ByteBufSink extends WriteStream<Buffer> {

  /**
   * {@code stream} itself when it is a sink, else a sink that writes to it as Vert.x buffers (and
   * accepts no Netty ones): the one place where a write stream is asked what it is.
   */
  static ByteBufSink of(WriteStream<Buffer> stream) {
    return stream instanceof ByteBufSink s ? s : new VertxOnly(stream);
  }

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

  /**
   * How many of the source's next bytes may go from its socket to this sink without being read
   * (spliced, {@link SplicePipe}); 0 when they must be read. Asked between reads.
   */
  default long spliceable() {
    return 0;
  }

  /**
   * Takes up to {@code max} bytes ({@code 0 < max <= spliceable()}) straight from {@code socket}:
   * how many it took, 0 when none now. Not flushed.
   *
   * @throws IOException when a socket failed (reset)
   */
  default int spliceFrom(FileDescriptor socket, long max) throws IOException {
    return 0;
  }

  /**
   * A Vert.x buffer over {@code buf}'s readable bytes, sharing them (no copy), for code that frames
   * Vert.x buffers. A Vert.x buffer made straight from a Netty one indexes from 0, not from its
   * reader index; this one starts at the reader index, so positions in it are relative to it.
   */
  static Buffer view(ByteBuf buf) {
    return BufferInternal.buffer(buf.readerIndex() == 0 ? buf : buf.slice());
  }

  /** A write stream that takes Vert.x buffers only: nothing to flush, nothing to splice. */
  final class VertxOnly extends ForwardingWriteStream implements ByteBufSink {
    VertxOnly(WriteStream<Buffer> delegate) {
      super(delegate);
    }

    @Override
    public Future<Void> write(Buffer data) {
      return delegate.write(data);
    }

    @Override
    public boolean acceptsByteBufs() {
      return false;
    }

    /** Not used while {@link #acceptsByteBufs()} is false; copies if it is. */
    @Override
    public void writeByteBuf(ByteBuf buf) {
      try {
        delegate.write(Buffer.buffer(ByteBufUtil.getBytes(buf)));
      } finally {
        buf.release();
      }
    }

    @Override
    public void flush() {
    }
  }
}
