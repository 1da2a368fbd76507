package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;

/**
 * A connection's bytes as Netty read them. A {@link #handler} gets them as Vert.x buffers (copied:
 * that is the RFB handshake, a few hundred bytes); the relay's {@link #pipe} gets the Netty
 * buffers untouched when its destination is a {@link ByteBufSink} (no copy, no garbage per read)
 * and flushes it once per read burst. One queue either way (the source's, while paused), so no
 * byte is stranded when the relay takes over. The owner feeds it: {@link #onMessage} per read,
 * {@link #readComplete} at the end of a read burst, {@link #ended} when the connection closed.
 * Runs on the connection's event loop.
 */
final class ByteBufInput extends ForwardingReadStream {
  private final Channel channel;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private ByteBufPipe pipe;
  private boolean ended;

  /**
   * @param source the connection's flow control and errors: pausing it stops {@link #onMessage}
   *     (what was already read waits in its queue)
   * @param channel the connection's Netty channel
   */
  ByteBufInput(ReadStream<?> source, Channel channel) {
    super(source);
    this.channel = channel;
  }

  /** A read: a {@link ByteBuf} whose ownership passes here (anything else is released). */
  void onMessage(Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (pipe != null && pipe.takes()) {
      pipe.onByteBuf(buf);
      return;
    }
    Handler<Buffer> h = handler;
    if (h == null || !buf.isReadable()) {
      buf.release();
      return;
    }
    Buffer copy;
    try {
      copy = Buffer.buffer(ByteBufUtil.getBytes(buf));
    } finally {
      buf.release();
    }
    h.handle(copy);
  }

  /** The end of a read burst. */
  void readComplete() {
    if (pipe != null && pipe.takes()) pipe.flush();
  }

  /** The connection closed (idempotent). */
  void ended() {
    if (ended) return;
    ended = true;
    if (pipe != null) pipe.ended();
    Handler<Void> h = endHandler;
    if (h != null) h.handle(null);
  }

  /** We closed the connection: nothing more is forwarded. */
  void stopped() {
    if (pipe != null) pipe.stopped();
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> h) {
    handler = h;
    return this;
  }

  /** Any demand resumes the source (nothing here asks for a counted amount). */
  @Override
  public ReadStream<Buffer> fetch(long amount) {
    if (amount > 0) delegate.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }

  @Override
  public Pipe<Buffer> pipe() {
    pause();
    pipe = new ByteBufPipe(this, channel);
    return pipe;
  }
}
