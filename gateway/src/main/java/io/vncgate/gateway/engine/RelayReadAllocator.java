package io.vncgate.gateway.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Netty's adaptive read sizes, except when the relay asks for a size of its own: large reads while
 * {@link BulkReads} has the socket wait for a large payload, short ones when what follows a read
 * is to be spliced and should stay in the socket ({@link ByteBufPipe}).
 */
final class RelayReadAllocator implements RecvByteBufAllocator {
  private final AdaptiveRecvByteBufAllocator sizes;
  private IntSupplier size = () -> 0;

  RelayReadAllocator(int minimum, int initial, int maximum) {
    this.sizes = new AdaptiveRecvByteBufAllocator(minimum, initial, maximum);
  }

  /** The size of the next read; 0 leaves it to the adaptive sizes. Set on the socket's event loop. */
  void size(IntSupplier size) {
    this.size = size;
  }

  @Override
  public Handle newHandle() {
    return new RelayHandle((ExtendedHandle) sizes.newHandle());
  }

  private final class RelayHandle implements ExtendedHandle {
    private final ExtendedHandle adaptive;

    RelayHandle(ExtendedHandle adaptive) {
      this.adaptive = adaptive;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      int n = size.getAsInt();
      return n > 0 ? alloc.ioBuffer(n, n) : adaptive.allocate(alloc);
    }

    @Override
    public int guess() {
      int n = size.getAsInt();
      return n > 0 ? n : adaptive.guess();
    }

    @Override
    public void reset(ChannelConfig config) {
      adaptive.reset(config);
    }

    @Override
    public void incMessagesRead(int numMessages) {
      adaptive.incMessagesRead(numMessages);
    }

    @Override
    public void lastBytesRead(int bytes) {
      adaptive.lastBytesRead(bytes);
    }

    @Override
    public int lastBytesRead() {
      return adaptive.lastBytesRead();
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      adaptive.attemptedBytesRead(bytes);
    }

    @Override
    public int attemptedBytesRead() {
      return adaptive.attemptedBytesRead();
    }

    @Override
    public boolean continueReading() {
      return adaptive.continueReading();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return adaptive.continueReading(maybeMoreDataSupplier);
    }

    @Override
    public void readComplete() {
      adaptive.readComplete();
    }
  }
}
