package io.vncgate.testbeds.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU 7.2 may send an event before its greeting to a client that connected while it was starting
 * (seen in CI: RESUME first): the client keeps the event and goes on to the greeting.
 */
class QmpClientGreetingTest {
  @Test
  void anEventBeforeTheGreetingIsKept(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("qmp.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread qemu = new Thread(() -> {
        try (SocketChannel c = server.accept()) {
          write(c, "{\"timestamp\":{\"seconds\":1,\"microseconds\":2},\"event\":\"RESUME\"}\n"
              + "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7}},\"capabilities\":[]}}\n");
          BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
          in.readLine(); // qmp_capabilities
          write(c, "{\"return\":{}}\n");
          in.readLine(); // until the client closes
        } catch (Exception e) {
          // the test's assertions say what went wrong
        }
      });
      qemu.start();
      try (QmpClient client = QmpClient.connect(socket, Duration.ofSeconds(5))) {
        assertEquals(1, client.events().size());
        assertEquals("RESUME", client.events().get(0).getString("event"));
      }
      qemu.join(5_000);
    }
    Files.deleteIfExists(socket);
  }

  private static void write(SocketChannel c, String text) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) c.write(b);
  }
}
