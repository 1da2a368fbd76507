package io.vncgate.testbeds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Free TCP ports on the loopback interface.
 *
 * <p>A port is free when asked; another process may take it before the caller binds it. The
 * launchers in this package retry on such a clash. Within one JVM the same port is never handed
 * out twice in a row of {@value #REMEMBERED} calls.
 */
public final class FreePorts {

  private static final int REMEMBERED = 64;
  private static final Deque<Integer> RECENT = new ArrayDeque<>();

  private FreePorts() {
  }

  /** A TCP port that was free on 127.0.0.1 a moment ago. */
  public static int next() {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = probe();
      synchronized (RECENT) {
        if (!RECENT.contains(port)) {
          RECENT.addLast(port);
          if (RECENT.size() > REMEMBERED) {
            RECENT.removeFirst();
          }
          return port;
        }
      }
    }
    throw new IllegalStateException("no free loopback port after 20 attempts");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a loopback port", e);
    }
  }
}
