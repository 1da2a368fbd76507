package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.FileDescriptor;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The server→viewer half of the relay: every byte from the target passes the
 * {@link PayloadFraming} (the RFB server-message framer), which forwards ranges of each read (as
 * slices of the read's own buffer: no copy) and leaves out dropped messages. A read that is forwarded whole, the
 * usual case, goes on as the very buffer it arrived in. Opaque payload of at least
 * {@value #MIN_SPLICE_BYTES} bytes (a large rectangle's pixels) may go from the target's socket to
 * the viewer's without being read at all ({@link #spliceFrom}), when the viewer's output allows.
 * Flow control is the viewer's. A target that breaks the framing is reported once to
 * {@code onError}; nothing more is forwarded.
 */
final class FilteringWriteStream extends ForwardingWriteStream implements ByteBufSink {
  /**
   * Payload shorter than this is read and forwarded: splicing costs two system calls and a pipe
   * whatever the length, copying a few kilobytes costs less.
   */
  static final long MIN_SPLICE_BYTES = 64 * 1024;

  private final PayloadFraming framer;
  private final ByteBufSink viewer;
  private final Consumer<Exception> onError;
  private final Ranges ranges = new Ranges();
  private boolean failed;

  FilteringWriteStream(PayloadFraming framer, ByteBufSink viewer, Consumer<Exception> onError) {
    super(viewer);
    this.framer = framer;
    this.viewer = viewer;
    this.onError = onError;
  }

  @Override
  public boolean acceptsByteBufs() {
    return viewer.acceptsByteBufs();
  }

  @Override
  public void writeByteBuf(ByteBuf buf) {
    // ranges are relative to the reader index (base below)
    if (!frame(ByteBufSink.view(buf))) {
      buf.release();
      return;
    }
    int base = buf.readerIndex();
    if (ranges.isWhole(buf.readableBytes())) {
      ranges.clear();
      viewer.writeByteBuf(buf);
      return;
    }
    for (int i = 0; i < ranges.count; i++) {
      byte[] held = ranges.held[i];
      if (held != null) {
        viewer.writeByteBuf(Unpooled.wrappedBuffer(held));
      } else {
        viewer.writeByteBuf(buf.retainedSlice(base + ranges.from[i], ranges.to[i] - ranges.from[i]));
      }
    }
    ranges.clear();
    buf.release();
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (!frame(data)) {
      return Future.succeededFuture();
    }
    Future<Void> last = Future.succeededFuture();
    if (ranges.isWhole(data.length())) {
      last = viewer.write(data);
    } else {
      for (int i = 0; i < ranges.count; i++) {
        byte[] held = ranges.held[i];
        last = viewer.write(held != null ? Buffer.buffer(held) : data.slice(ranges.from[i], ranges.to[i]));
      }
    }
    ranges.clear();
    return last;
  }

  @Override
  public long bytesAhead() {
    return failed ? 0 : framer.opaqueBytesAhead();
  }

  @Override
  public long spliceable() {
    long ahead = bytesAhead();
    return ahead < MIN_SPLICE_BYTES ? 0 : Math.min(ahead, viewer.spliceable());
  }

  @Override
  public int spliceFrom(FileDescriptor socket, long max) throws IOException {
    int n = viewer.spliceFrom(socket, Math.min(max, spliceable()));
    if (n > 0) {
      try {
        framer.skipped(n);
      } catch (Exception e) {
        failed = true;
        onError.accept(e);
      }
    }
    return n;
  }

  /** Fills {@link #ranges}; false when nothing may be forwarded (the target broke the framing). */
  private boolean frame(Buffer data) {
    if (failed) {
      return false;
    }
    try {
      framer.feed(data, ranges);
      return true;
    } catch (Exception e) {
      failed = true;
      // what preceded the bad bytes is not worth sending: the connection is closed with the reason
      ranges.clear();
      onError.accept(e);
      return false;
    }
  }

  @Override
  public void flush() {
    viewer.flush();
  }

  /** The forwarded parts of one read, in order: ranges of it, or held header bytes. */
  private static final class Ranges implements PayloadFraming.Output {
    int count;
    int[] from = new int[8];
    int[] to = new int[8];
    byte[][] held = new byte[8][];

    @Override
    public void forward(int start, int end) {
      add(start, end, null);
    }

    @Override
    public void forwardHeld(byte[] bytes, int length) {
      byte[] copy = new byte[length];
      System.arraycopy(bytes, 0, copy, 0, length);
      add(0, length, copy);
    }

    private void add(int start, int end, byte[] bytes) {
      if (count == from.length) {
        from = Arrays.copyOf(from, count * 2);
        to = Arrays.copyOf(to, count * 2);
        held = Arrays.copyOf(held, count * 2);
      }
      from[count] = start;
      to[count] = end;
      held[count] = bytes;
      count++;
    }

    boolean isWhole(int length) {
      return count == 1 && held[0] == null && from[0] == 0 && to[0] == length;
    }

    void clear() {
      for (int i = 0; i < count; i++) held[i] = null;
      count = 0;
    }
  }
}
