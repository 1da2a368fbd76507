package io.vncgate.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketChannel;
import java.util.OptionalLong;

/** {@link Upstream#roundTripMicros()} for a transport over a Netty channel. */
final class RoundTrip {
  private RoundTrip() {}

  /** TCP's smoothed round trip (TCP_INFO) on the native transport, 0 on a Unix socket, else unknown. */
  static OptionalLong micros(Channel channel) {
    if (channel instanceof EpollSocketChannel tcp && tcp.isActive()) return OptionalLong.of(tcp.tcpInfo().rtt());
    if (channel instanceof DomainSocketChannel) return OptionalLong.of(0);
    return OptionalLong.empty();
  }
}
