package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.FileDescriptor;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes writes through, counting bytes and noting activity (for metrics and the idle timeout).
 * Takes Netty buffers too, and spliced bytes, when its destination does ({@link ByteBufSink}).
 */
final class CountingWriteStream extends ForwardingWriteStream implements ByteBufSink {
  private final ByteBufSink sink;
  private final AtomicLong counter;
  private final AtomicLong spliced;
  private final Runnable onActivity;

  CountingWriteStream(WriteStream<Buffer> delegate, AtomicLong counter, Runnable onActivity) {
    this(delegate, counter, new AtomicLong(), onActivity);
  }

  /** @param spliced counts those of {@code counter}'s bytes that were spliced (never in the gateway's memory) */
  CountingWriteStream(WriteStream<Buffer> delegate, AtomicLong counter, AtomicLong spliced, Runnable onActivity) {
    this(ByteBufSink.of(delegate), counter, spliced, onActivity);
  }

  private CountingWriteStream(ByteBufSink sink, AtomicLong counter, AtomicLong spliced, Runnable onActivity) {
    super(sink);
    this.sink = sink;
    this.counter = counter;
    this.spliced = spliced;
    this.onActivity = onActivity;
  }

  @Override
  public Future<Void> write(Buffer data) {
    counter.addAndGet(data.length());
    onActivity.run();
    return delegate.write(data);
  }

  @Override
  public boolean acceptsByteBufs() {
    return sink.acceptsByteBufs();
  }

  @Override
  public void writeByteBuf(ByteBuf buf) {
    counter.addAndGet(buf.readableBytes());
    onActivity.run();
    sink.writeByteBuf(buf);
  }

  @Override
  public void flush() {
    sink.flush();
  }

  @Override
  public long spliceable() {
    return sink.spliceable();
  }

  @Override
  public int spliceFrom(FileDescriptor socket, long max) throws IOException {
    int n = sink.spliceFrom(socket, max);
    if (n > 0) {
      counter.addAndGet(n);
      spliced.addAndGet(n);
      onActivity.run();
    }
    return n;
  }
}
