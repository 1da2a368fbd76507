package io.vncgate.gateway.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * When the relay splices: {@code auto} splices unless the viewer's socket runs {@code bbr} (or its
 * congestion control cannot be read); the congestion control is read from a real socket.
 */
class ZeroCopyTest {
  @Test
  void autoSplicesUnlessTheSocketRunsBbr() {
    assertTrue(ZeroCopy.AUTO.splicesUnder("cubic"));
    assertTrue(ZeroCopy.AUTO.splicesUnder("reno"));
    assertFalse(ZeroCopy.AUTO.splicesUnder("bbr"));
    assertFalse(ZeroCopy.AUTO.splicesUnder(null), "unknown: read and write, as everywhere splicing is not measured");
  }

  @Test
  void alwaysAndNeverDoNotAsk() {
    assertTrue(ZeroCopy.ALWAYS.splicesUnder("bbr"));
    assertTrue(ZeroCopy.ALWAYS.splicesUnder(null));
    assertFalse(ZeroCopy.NEVER.splicesUnder("cubic"));
  }

  @Test
  void configValuesRoundTrip() {
    for (ZeroCopy z : ZeroCopy.values()) assertEquals(z, ZeroCopy.of(z.value()));
    assertEquals(null, ZeroCopy.of("on"));
  }

  /** A connected TCP socket reports the machine's default (no route here sets another). */
  @Test
  void aSocketsCongestionControlIsTheMachinesDefault() throws Exception {
    assertTrue(SplicePipe.available(), "JNA and epoll load on Linux");
    String expected = SplicePipe.defaultCongestionControl();
    assertNotNull(expected, "/proc/sys/net/ipv4/tcp_congestion_control");
    Socket listener = Socket.newSocketStream();
    Socket client = Socket.newSocketStream();
    try {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      listener.listen(1);
      client.connect(listener.localAddress());
      assertEquals(expected, SplicePipe.congestionControl(client));
      FileDescriptor[] pipe = FileDescriptor.pipe();
      try {
        assertEquals(null, SplicePipe.congestionControl(pipe[0]), "not a socket: unknown, not an exception");
      } finally {
        pipe[0].close();
        pipe[1].close();
      }
    } finally {
      client.close();
      listener.close();
    }
  }
}
