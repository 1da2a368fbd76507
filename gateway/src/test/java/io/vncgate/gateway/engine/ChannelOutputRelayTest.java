package io.vncgate.gateway.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vncgate.gateway.Gateway;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a viewer's channel is readied for the relay, on real epoll sockets: spliced into when the
 * mode says so; otherwise, a loopback peer gets the smaller send buffer (Linux reports twice what
 * was asked).
 */
class ChannelOutputRelayTest {
  Vertx vertx;
  NetServer server;
  NetClient client;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx(Gateway.vertxOptions());
    assertTrue(vertx.isNativeTransportEnabled(), "epoll loads on Linux");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Accepts one loopback connection, makes its output and readies it with {@code mode}: whether it splices, and its send buffer. */
  private Object[] prepared(ZeroCopy mode) throws Exception {
    CompletableFuture<Object[]> result = new CompletableFuture<>();
    server = vertx.createNetServer().connectHandler(s -> {
      NetSocketInternal socket = (NetSocketInternal) s;
      Channel channel = socket.channelHandlerContext().channel();
      ChannelOutput out = new ChannelOutput(socket.channelHandlerContext(), false, s::end);
      boolean splices = out.prepareForRelay(mode);
      result.complete(new Object[] {splices, channel.config().getOption(ChannelOption.SO_SNDBUF)});
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    client = vertx.createNetClient();
    client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    return result.get(10, TimeUnit.SECONDS);
  }

  /**
   * Accepts one loopback connection from a client that never reads, writes 4 KiB at a time into its
   * output (with short queues or not) until the output is full: the bytes it took.
   */
  private long takenBeforeFull(boolean shortQueues) throws Exception {
    CompletableFuture<Long> result = new CompletableFuture<>();
    server = vertx.createNetServer().connectHandler(s -> {
      ChannelOutput out = new ChannelOutput(((NetSocketInternal) s).channelHandlerContext(), false, s::end);
      if (shortQueues) out.shortQueues();
      long taken = 0;
      while (!out.writeQueueFull() && taken < 64 << 20) {
        out.write(io.vertx.core.buffer.Buffer.buffer(new byte[4096]));
        taken += 4096;
      }
      result.complete(taken);
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    client = vertx.createNetClient();
    client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS).pause();
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void shortQueuesHoldAViewerThatDoesNotReadToAFewHundredKibibytes() throws Exception {
    long usual = takenBeforeFull(false);
    server.close().await(10, TimeUnit.SECONDS);
    long bounded = takenBeforeFull(true);
    // the kernel's unsent bytes (TCP_NOTSENT_LOWAT) and the gateway's queue, plus the peer's receive window
    assertTrue(bounded < 3 * (ChannelOutput.SHORT_UNSENT + ChannelOutput.SHORT_QUEUE), "short: " + bounded);
    // the usual marks let 1 MiB wait in the gateway alone
    assertTrue(usual > ChannelOutput.WATER_MARK.high(), "usual: " + usual);
  }

  @Test
  void shortQueuesOnAChannelThatHasClosedDoNothing() throws Exception {
    CompletableFuture<Throwable> result = new CompletableFuture<>();
    server = vertx.createNetServer().connectHandler(s -> {
      ChannelOutput out = new ChannelOutput(((NetSocketInternal) s).channelHandlerContext(), false, s::end);
      s.close().onComplete(v -> {
        try {
          out.shortQueues(); // a viewer that turned continuous updates on as it went away
          result.complete(null);
        } catch (RuntimeException e) {
          result.complete(e);
        }
      });
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    client = vertx.createNetClient();
    client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    assertEquals(null, result.get(10, TimeUnit.SECONDS));
  }

  @Test
  void readingAndWritingToALoopbackPeerTakesTheSmallerSendBuffer() throws Exception {
    Object[] r = prepared(ZeroCopy.NEVER);
    assertFalse((Boolean) r[0]);
    assertEquals(2 * ChannelOutput.LOOPBACK_SEND_BUFFER, r[1]);
  }

  @Test
  void splicingLeavesTheSendBufferToTheKernel() throws Exception {
    assertTrue(SplicePipe.available());
    Object[] r = prepared(ZeroCopy.ALWAYS);
    assertTrue((Boolean) r[0]);
    assertNotEquals(2 * ChannelOutput.LOOPBACK_SEND_BUFFER, r[1]);
  }
}
