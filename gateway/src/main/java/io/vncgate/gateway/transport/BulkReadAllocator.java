package io.vncgate.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.BooleanSupplier;

/**
 * Netty's adaptive read sizes, except while {@link BulkReads} has the socket wait for a large
 * payload: then each read is {@value BulkReads#BULK_BYTES} bytes.
 */
final class BulkReadAllocator implements RecvByteBufAllocator {
  private final AdaptiveRecvByteBufAllocator sizes;
  private BooleanSupplier bulk = () -> false;

  BulkReadAllocator(int minimum, int initial, int maximum) {
    this.sizes = new AdaptiveRecvByteBufAllocator(minimum, initial, maximum);
  }

  /** While {@code bulk} is true, reads are {@value BulkReads#BULK_BYTES} bytes. Set on the socket's event loop. */
  void bulk(BooleanSupplier bulk) {
    this.bulk = bulk;
  }

  @Override
  public Handle newHandle() {
    return new BulkHandle((ExtendedHandle) sizes.newHandle());
  }

  private final class BulkHandle implements ExtendedHandle {
    private final ExtendedHandle adaptive;

    BulkHandle(ExtendedHandle adaptive) {
      this.adaptive = adaptive;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return bulk.getAsBoolean() ? alloc.ioBuffer(BulkReads.BULK_BYTES, BulkReads.BULK_BYTES) : adaptive.allocate(alloc);
    }

    @Override
    public int guess() {
      return bulk.getAsBoolean() ? BulkReads.BULK_BYTES : adaptive.guess();
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
