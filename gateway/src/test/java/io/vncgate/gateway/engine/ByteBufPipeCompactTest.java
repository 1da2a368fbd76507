package io.vncgate.gateway.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** A small read in a big buffer is moved into a buffer of its size; full reads are never copied. */
class ByteBufPipeCompactTest {
  private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  @Test
  void aSmallReadInABigBufferIsCopiedIntoOneOfItsSizeAndTheBigOneReleased() {
    ByteBuf big = ALLOC.directBuffer(SocketStreams.MAX_READ_BYTES);
    big.writeBytes(new byte[] {1, 2, 3, 4, 5});
    big.readByte(); // a reader index past 0 is honoured
    ByteBuf out = ByteBufPipe.compact(big);
    assertEquals(0, big.refCnt(), "the 1 MiB buffer went back to the pool");
    assertEquals(4, out.capacity());
    assertEquals("02030405", ByteBufUtil.hexDump(out));
    out.release();
  }

  @Test
  void fullishReadsAndSmallBuffersGoOnAsTheyAre() {
    ByteBuf full = ALLOC.directBuffer(SocketStreams.MAX_READ_BYTES);
    full.writeZero(SocketStreams.MAX_READ_BYTES / 4);
    assertSame(full, ByteBufPipe.compact(full), "a quarter full: kept");
    assertEquals(1, full.refCnt());
    full.release();

    ByteBuf small = ALLOC.directBuffer(ByteBufPipe.SPARE_ALLOWED);
    small.writeByte(7);
    assertSame(small, ByteBufPipe.compact(small), "at most 64 KiB unused: kept");
    small.release();
  }
}
