package io.vncgate.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.transport.ByteBufSink;
import java.util.function.Consumer;

/**
 * The viewer→server half of the relay: bytes are framed message by message, judged by the role's
 * whitelist, and only whole allowed messages reach the server. Backpressure is the server
 * stream's, so a pipe into this pauses the viewer when the server is slow.
 *
 * <p>It takes the viewer's reads as Netty buffers ({@link ByteBufSink}): a read made of whole
 * allowed messages, the usual case, goes on to the server as the very buffer it arrived in (when
 * the server's stream takes Netty buffers too); a read the framer cut (a message straddling reads,
 * a dropped one) goes on as a copy of what passed. A protocol error is reported once to
 * {@code onError} and nothing more is forwarded; through {@link #write} it fails the write instead
 * (and so a Vert.x pipe).
 */
final class FramingWriteStream extends ForwardingWriteStream implements ByteBufSink {
  private final ClientMessageFramer framer;
  private final Consumer<RfbException> onError;
  private boolean failed;

  FramingWriteStream(ClientMessageFramer framer, WriteStream<Buffer> upstream, Consumer<RfbException> onError) {
    super(upstream);
    this.framer = framer;
    this.onError = onError;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Buffer out;
    try {
      out = framer.feed(data);
    } catch (RfbException e) {
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
      out = framer.feed(in);
    } catch (RfbException e) {
      buf.release();
      failed = true;
      onError.accept(e);
      return;
    }
    boolean zeroCopy = delegate instanceof ByteBufSink s && s.acceptsByteBufs();
    if (out == in && zeroCopy) {
      ((ByteBufSink) delegate).writeByteBuf(buf);
      return;
    }
    try {
      if (out.length() == 0) return;
      if (zeroCopy) {
        // only what passed, into a buffer of its own: the read's buffer is released below
        ByteBuf copy = buf.alloc().directBuffer(out.length());
        copy.writeBytes(((BufferInternal) out).getByteBuf());
        ((ByteBufSink) delegate).writeByteBuf(copy);
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
    if (delegate instanceof ByteBufSink s) s.flush();
  }
}
