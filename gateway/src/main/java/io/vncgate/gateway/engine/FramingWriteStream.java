package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.util.function.Consumer;

/**
 * The viewer→server half of the relay: bytes are framed message by message and judged
 * ({@link MessageFraming}: the role's whitelist), and only whole allowed messages reach the
 * server. Backpressure is the server stream's, so a pipe into this pauses the viewer when the
 * server is slow.
 *
 * <p>It takes the viewer's reads as Netty buffers ({@link ByteBufSink}): a read made of whole
 * allowed messages, the usual case, goes on to the server as the very buffer it arrived in (when
 * the server's stream takes Netty buffers too); a read the framer cut (a message straddling reads,
 * a dropped one) goes on as a copy of what passed. A protocol error is reported once to
 * {@code onError} and nothing more is forwarded; through {@link #write} it fails the write instead
 * (and so a Vert.x pipe).
 */
final class FramingWriteStream extends ForwardingWriteStream implements ByteBufSink {
  private final MessageFraming framer;
  private final ByteBufSink sink;
  private final Consumer<Throwable> onError;
  private boolean failed;

  FramingWriteStream(MessageFraming framer, WriteStream<Buffer> upstream, Consumer<Throwable> onError) {
    this(framer, ByteBufSink.of(upstream), onError);
  }

  private FramingWriteStream(MessageFraming framer, ByteBufSink sink, Consumer<Throwable> onError) {
    super(sink);
    this.framer = framer;
    this.sink = sink;
    this.onError = onError;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Buffer out;
    try {
      out = framer.pass(data);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return out.length() == 0 ? Future.succeededFuture() : delegate.write(out);
  }

  /** Always: what the server's stream does not take as Netty buffers is written to it as Vert.x buffers. */
  @Override
  public boolean acceptsByteBufs() {
    return true;
  }

  @Override
  public void writeByteBuf(ByteBuf buf) {
    if (failed) {
      buf.release();
      return;
    }
    Buffer in = ByteBufSink.view(buf);
    Buffer out;
    try {
      out = framer.pass(in);
    } catch (Exception e) {
      buf.release();
      failed = true;
      onError.accept(e);
      return;
    }
    boolean zeroCopy = sink.acceptsByteBufs();
    if (out == in && zeroCopy) {
      sink.writeByteBuf(buf);
      return;
    }
    try {
      if (out.length() == 0) return;
      if (zeroCopy) {
        // only what passed, into a buffer of its own: the read's buffer is released below
        ByteBuf copy = buf.alloc().directBuffer(out.length());
        copy.writeBytes(((BufferInternal) out).getByteBuf());
        sink.writeByteBuf(copy);
      } else {
        delegate.write(Buffer.buffer(out.getBytes()));
      }
    } finally {
      buf.release();
    }
  }

  /** Not after a protocol error: nothing more is forwarded, so the viewer is not held back. */
  @Override
  public boolean writeQueueFull() {
    return !failed && delegate.writeQueueFull();
  }

  @Override
  public void flush() {
    sink.flush();
  }
}
