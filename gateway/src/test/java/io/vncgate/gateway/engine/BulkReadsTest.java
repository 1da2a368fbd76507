package io.vncgate.gateway.engine;

import static io.vncgate.gateway.engine.BulkReads.MAX_LOW_WATER;
import static io.vncgate.gateway.engine.BulkReads.FAST_BURST_BYTES;
import static io.vncgate.gateway.engine.BulkReads.lowWaterFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** When the relay asks the kernel to wait for more bytes before waking it, and for how many. */
class BulkReadsTest {
  private static final int MIB = 1024 * 1024;

  @Test
  void aFastLargePayloadIsWaitedForInPiecesOfUpToTwoMebibytes() {
    assertEquals(3 * MIB / 2, lowWaterFor(100 * MIB, 3 * MIB / 4, true), "twice the last burst");
    assertEquals(MAX_LOW_WATER, lowWaterFor(100 * MIB, MIB, false), "twice the burst that showed the server fast");
    assertEquals(MAX_LOW_WATER, lowWaterFor(100 * MIB, 3 * MIB, true), "never more than the largest mark");
  }

  @Test
  void neverMoreThanThePayloadStillToCome() {
    assertEquals(3 * MIB / 2 - 1, lowWaterFor(3 * MIB / 2 - 1, 4 * MIB, true));
    for (long ahead = FAST_BURST_BYTES; ahead < 6 * MIB; ahead += 333_333) {
      for (long burst = 0; burst < 6 * MIB; burst += 250_000) {
        for (boolean active : new boolean[] {false, true}) {
          int mark = lowWaterFor(ahead, burst, active);
          assertTrue(mark >= 1 && mark <= ahead && mark <= MAX_LOW_WATER, ahead + "/" + burst + "/" + active + " → " + mark);
          assertTrue(mark == 1 || mark <= Math.max(2 * burst, FAST_BURST_BYTES), "at most twice the last burst");
        }
      }
    }
  }

  @Test
  void anyByteWakesTheRelayOtherwise() {
    assertEquals(1, lowWaterFor(0, 4 * MIB, true), "a header comes next");
    assertEquals(1, lowWaterFor(FAST_BURST_BYTES - 1, 4 * MIB, true), "a small payload");
    assertEquals(1, lowWaterFor(100 * MIB, FAST_BURST_BYTES - 1, false), "the server is not fast");
    assertEquals(1, lowWaterFor(100 * MIB, 0, true), "nothing came in the last burst");
  }

  @Test
  void aSocketClosedWithTheMarkRaisedLeavesNoCheckRunning() throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), "Netty's epoll transport (Linux) is not available here");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
          .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
      Channel socket = new Bootstrap().group(group).channel(EpollSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter())
          .connect((InetSocketAddress) server.localAddress()).sync().channel();
      BulkReads bulk = BulkReads.of(socket);
      boolean[] raised = new boolean[1];
      socket.eventLoop().submit(() -> {
        bulk.read(2 * MIB);
        bulk.burstDone(100 * MIB);
        raised[0] = bulk.active() && bulk.watching();
      }).get(5, TimeUnit.SECONDS);
      assertTrue(raised[0], "a fast large payload raises the mark and starts the quiet-time check");

      socket.close().sync();
      socket.eventLoop().submit(bulk::stop).get(5, TimeUnit.SECONDS);
      assertTrue(!bulk.watching() && !bulk.active(), "the check ends with the relay even on a closed socket");
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
