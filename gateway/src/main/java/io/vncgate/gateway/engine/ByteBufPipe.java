package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.unix.FileDescriptor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.core.streams.impl.PipeImpl;
import java.io.IOException;

/**
 * The pipe of an upstream socket's input. Into a {@link ByteBufSink} it hands over the socket's
 * Netty buffers untouched (no copy into a Vert.x buffer, no copy back into a direct buffer when
 * written, no garbage) and flushes once per read burst; into any other write stream it is Vert.x's
 * own {@link PipeImpl}. Same contract either way: the source stays paused until {@link #to}; the
 * future completes when the source ends and fails on a source error; the source is paused while
 * the destination's queue is full. Runs on the socket's event loop.
 *
 * <p>When the sink says the bytes that come next may be spliced ({@link ByteBufSink#spliceable}),
 * they are, right after the read that led up to them; reads are then kept to
 * {@value #LEAD_BYTES} bytes, so that what follows stays in the socket to be spliced. Otherwise,
 * while the sink says a large message is coming in ({@link ByteBufSink#bytesAhead}), the socket is
 * read in fewer, larger pieces ({@link BulkReads}).
 */
final class ByteBufPipe implements Pipe<Buffer> {
  /**
   * A read's size while its next bytes are to be spliced: Netty reads when the socket is readable,
   * and there is no knowing how much waits without reading, so the read is kept short.
   */
  static final int LEAD_BYTES = 4096;

  private final ReadStream<Buffer> source;
  private final Channel channel;
  /** Null when the socket cannot wait for large reads (not epoll, or TLS). */
  private BulkReads bulk;
  /** The socket's descriptor when bytes may be spliced from it (epoll, no TLS, splice available), else null. */
  private FileDescriptor socket;
  private final Promise<Void> result = Promise.promise();
  private boolean endOnSuccess = true;
  private boolean endOnFailure = true;
  private ByteBufSink sink;
  private PipeImpl<Buffer> fallback;
  private boolean done;

  /** @param channel the socket's Netty channel (reading stops there while the destination is full) */
  ByteBufPipe(ReadStream<Buffer> source, Channel channel) {
    this.source = source;
    this.channel = channel;
  }

  @Override
  public Pipe<Buffer> endOnFailure(boolean end) {
    endOnFailure = end;
    return this;
  }

  @Override
  public Pipe<Buffer> endOnSuccess(boolean end) {
    endOnSuccess = end;
    return this;
  }

  @Override
  public Pipe<Buffer> endOnComplete(boolean end) {
    endOnSuccess = end;
    endOnFailure = end;
    return this;
  }

  @Override
  public Future<Void> to(WriteStream<Buffer> dst) {
    if (sink != null || fallback != null) {
      throw new IllegalStateException("the pipe is already started");
    }
    ByteBufSink s = ByteBufSink.of(dst);
    if (!s.acceptsByteBufs()) {
      fallback = new PipeImpl<>(source);
      fallback.endOnSuccess(endOnSuccess).endOnFailure(endOnFailure);
      return fallback.to(dst);
    }
    sink = s;
    bulk = BulkReads.of(channel);
    socket = SplicePipe.socketOf(channel);
    if (channel.config().getRecvByteBufAllocator() instanceof RelayReadAllocator reads) {
      reads.size(this::readSize);
    }
    source.exceptionHandler(e -> {
      if (!done) finish(e);
    });
    source.resume();
    return result.future();
  }

  /** The next read's size: short before bytes to splice, large while bulk reads are on, else adaptive (0). */
  private int readSize() {
    if (done) return 0;
    if (socket != null && sink.spliceable() > 0) return LEAD_BYTES;
    return bulk != null && bulk.active() ? BulkReads.BULK_BYTES : 0;
  }

  /** Whether read buffers go to {@link #onByteBuf} (zero-copy mode, still running). */
  boolean takes() {
    return sink != null;
  }

  void onByteBuf(ByteBuf buf) {
    if (done || !buf.isReadable()) {
      buf.release();
      return;
    }
    if (bulk != null) bulk.read(buf.readableBytes());
    sink.writeByteBuf(compact(buf));
    if (socket != null) spliceWhatFollows();
    if (!done && sink.writeQueueFull()) {
      // stop reading now, not after the current read burst (which Vert.x's pause alone would allow:
      // up to 16 more reads queued per slow viewer)
      channel.config().setAutoRead(false);
      source.pause();
      // resumed in a task of its own: the drain may be signalled while this socket is still in its
      // read-complete callback, where a resume would not deliver what was queued meanwhile
      sink.drainHandler(v -> channel.eventLoop().execute(this::resume));
    }
  }

  /** Splices from the socket while the sink takes it: what is in the socket now, as far as the sink allows. */
  private void spliceWhatFollows() {
    try {
      long wanted;
      while (!done && (wanted = sink.spliceable()) > 0 && !sink.writeQueueFull()) {
        if (sink.spliceFrom(socket, wanted) == 0) return;
      }
    } catch (IOException e) {
      // a socket failed (reset): as a failed read would have reported
      finish(e);
    }
  }

  /**
   * A read that filled little of a large buffer is copied into one of its size. The sink's water
   * marks count bytes, not capacity: without this, a slow viewer's queue of small reads, each in a
   * buffer sized for the largest read, would hold many times the bytes it counts. Copying a small
   * read costs little; full reads, where the bytes are, are never copied.
   */
  static ByteBuf compact(ByteBuf buf) {
    int readable = buf.readableBytes();
    if (buf.capacity() - readable <= SPARE_ALLOWED || readable >= buf.capacity() / 4) {
      return buf;
    }
    try {
      return buf.alloc().directBuffer(readable, readable).writeBytes(buf);
    } finally {
      buf.release();
    }
  }

  /** Unused capacity a read may keep without being compacted. */
  static final int SPARE_ALLOWED = 64 * 1024;

  private void resume() {
    if (done) return;
    channel.config().setAutoRead(true);
    source.resume();
    // what the source handed over from its queue on resuming came outside a read burst, whose end
    // flushes: unflushed, it could fill the destination again and wait for a drain that never comes
    if (!done) sink.flush();
  }

  /** The end of a read burst: send it. */
  void flush() {
    if (done) return;
    sink.flush();
    if (bulk != null) bulk.burstDone(sink.bytesAhead());
  }

  /** The socket closed: what was read is sent and the pipe completes. */
  void ended() {
    if (sink == null || done) return;
    sink.flush();
    finish(null);
  }

  /** We closed the socket: nothing more is forwarded. */
  void stopped() {
    if (sink != null && !done) finish(null);
  }

  private void finish(Throwable cause) {
    done = true;
    if (bulk != null) bulk.stop();
    sink.drainHandler(null);
    // buffers read while paused are still queued in the socket: resume so they reach onByteBuf and are released
    channel.config().setAutoRead(true);
    source.resume();
    if (cause == null ? endOnSuccess : endOnFailure) sink.end();
    if (cause == null) {
      result.tryComplete();
    } else {
      result.tryFail(cause);
    }
  }

  @Override
  public void close() {
    if (fallback != null) {
      fallback.close();
      return;
    }
    if (sink != null && !done) {
      done = true;
      if (bulk != null) bulk.stop();
      sink.drainHandler(null);
      sink = null; // back to the handler (none: bytes are dropped, as a closed Vert.x pipe does)
    }
    source.handler(null);
    channel.config().setAutoRead(true);
    source.resume();
    result.tryFail("pipe closed");
  }
}
