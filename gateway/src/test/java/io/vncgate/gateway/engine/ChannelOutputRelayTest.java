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
