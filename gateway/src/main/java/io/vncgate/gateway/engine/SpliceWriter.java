package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * Writes bytes spliced from another socket to a viewer's socket, in order with everything else
 * written to it: each splice goes into the viewer's outbound queue as a {@link FileRegion} whose
 * transfer splices out of a {@link SplicePipe} (preceded, on the WebSocket front, by the header of
 * one binary frame of exactly that length). Netty writes the region when the bytes before it are
 * out and retries it when the socket is full, as any write.
 *
 * <p>Flow control: the pipe is the queue. When it is full the writer is {@link #full()} until the
 * viewer has taken half of it, then {@code onRoom} runs. Runs on the viewer's event loop.
 */
final class SpliceWriter {
  /** After a pipe could not be had, how long before trying again (meanwhile the relay copies). */
  private static final long RETRY_NANOS = 5_000_000_000L;

  private final ChannelHandlerContext ctx;
  private final FileDescriptor viewer;
  private final boolean webSocket;
  private final Runnable onRoom;
  private final ChannelPromise quiet;
  private SplicePipe pipe;
  private boolean full;
  private boolean closed;
  private long refusedAt;
  private boolean refused;

  private SpliceWriter(ChannelHandlerContext ctx, FileDescriptor viewer, boolean webSocket, Runnable onRoom) {
    this.ctx = ctx;
    this.viewer = viewer;
    this.webSocket = webSocket;
    this.onRoom = onRoom;
    this.quiet = new VoidChannelPromise(ctx.channel(), false);
    ctx.channel().closeFuture().addListener(f -> closed());
  }

  /**
   * A writer to the channel of {@code ctx} (writes pass the handlers before it), or null when its
   * socket cannot take spliced bytes or {@code mode} says not to splice into it.
   *
   * @param onRoom run when a full writer has room again
   */
  static SpliceWriter of(ChannelHandlerContext ctx, boolean webSocket, ZeroCopy mode, Runnable onRoom) {
    if (mode == ZeroCopy.NEVER) return null;
    FileDescriptor fd = SplicePipe.socketOf(ctx.channel());
    if (fd == null || !mode.splicesUnder(SplicePipe.congestionControl(fd))) return null;
    return new SpliceWriter(ctx, fd, webSocket, onRoom);
  }

  /** How many bytes may be spliced now (0 when none: full, closed, no pipe to be had, or off the viewer's event loop). */
  long room() {
    if (closed || full || !ctx.executor().inEventLoop()) return 0;
    if (refused && System.nanoTime() - refusedAt < RETRY_NANOS) return 0;
    return pipe == null ? SplicePipe.CAPACITY : pipe.room();
  }

  /** Whether the pipe is full: nothing more until {@code onRoom}. */
  boolean full() {
    return full;
  }

  /**
   * Splices up to {@code max} bytes (at most {@link #room()}) from {@code socket} to the viewer:
   * queued, sent at the next flush. How many; 0 when none could be taken now.
   */
  int spliceFrom(FileDescriptor socket, long max) throws IOException {
    if (pipe == null) {
      pipe = SplicePipe.borrow();
      if (pipe == null) {
        refused = true;
        refusedAt = System.nanoTime();
        return 0;
      }
      refused = false;
    }
    int n = pipe.fill(socket, max);
    if (n == 0) {
      // nothing came: the socket is empty, or the pipe has no slot left for what came (it holds
      // pages as the socket had them) — then wait for the viewer as if it were full
      if (pipe.buffered() > 0) {
        full = true;
      } else {
        pipe.giveBack();
        pipe = null;
      }
      return 0;
    }
    if (pipe.room() == 0) full = true;
    if (webSocket) ctx.write(binaryFrameHeader(n), quiet);
    ctx.write(new Region(pipe, n), quiet);
    return n;
  }

  /** RFC 6455 §5.2, server to client (unmasked): FIN, binary, the payload length. */
  private ByteBuf binaryFrameHeader(int length) {
    ByteBuf header = ctx.alloc().directBuffer(10, 10).writeByte(0x82);
    if (length < 126) {
      header.writeByte(length);
    } else if (length <= 0xFFFF) {
      header.writeByte(126).writeShort(length);
    } else {
      header.writeByte(127).writeLong(length);
    }
    return header;
  }

  private void drained(SplicePipe from) {
    if (from != pipe) return;
    if (pipe.buffered() == 0) {
      pipe.giveBack();
      pipe = null;
    }
    if (full && (pipe == null || pipe.buffered() <= SplicePipe.CAPACITY / 2)) {
      full = false;
      onRoom.run();
    }
  }

  private void closed() {
    closed = true;
    if (pipe != null) {
      pipe.giveBack(); // closes it when bytes were left in it
      pipe = null;
    }
  }

  /** The next {@code count} bytes of a pipe, out to the viewer's socket when Netty writes this region. */
  private final class Region extends AbstractReferenceCounted implements FileRegion {
    private final SplicePipe from;
    private final long count;
    private long transferred;

    Region(SplicePipe from, long count) {
      this.from = from;
      this.count = count;
    }

    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
      if (closed) throw new IOException("the viewer's socket is closed");
      int n = from.drain(viewer, count - transferred);
      transferred += n;
      if (n > 0) drained(from);
      return n;
    }

    @Override
    public long position() {
      return 0;
    }

    @Override
    public long transferred() {
      return transferred;
    }

    @Override
    @Deprecated
    public long transfered() {
      return transferred;
    }

    @Override
    public long count() {
      return count;
    }

    @Override
    public FileRegion retain() {
      super.retain();
      return this;
    }

    @Override
    public FileRegion retain(int increment) {
      super.retain(increment);
      return this;
    }

    @Override
    public FileRegion touch() {
      return this;
    }

    @Override
    public FileRegion touch(Object hint) {
      return this;
    }

    @Override
    protected void deallocate() {
      // the bytes are in the pipe, which belongs to the writer
    }
  }
}
