package io.vncgate.providers.docker;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.ProviderException;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No engine at the configured socket: the list and every open fail in words that say which socket
 * and what to do. Needs no Docker, so it runs on every machine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineUnreachableTest {
  @TempDir
  Path dir;

  private ProviderException failure(java.util.concurrent.CompletionStage<?> stage) {
    Throwable t = assertThrows(Throwable.class, () -> await(stage));
    return assertInstanceOf(ProviderException.class, t, () -> "expected a ProviderException, got " + t);
  }

  @Test
  void noSocketAtAllSaysWhichSocketAndToStartDockerd() throws Exception {
    Path socket = dir.resolve("docker.sock");
    DockerTargetProvider provider = ProviderTestConfig.start(new DockerTargetProvider(), dir, "host: 'unix://" + socket + "'");
    try {
      ProviderException e = failure(provider.list(CALLER));
      assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
      assertEquals("cannot reach the Docker engine at unix://" + socket + " to list its containers: there is no socket"
          + " at " + socket + ": is dockerd running? (start it, e.g. `dockerd &` or `systemctl start docker`; for podman"
          + " `podman system service --time=0 unix://" + socket + " &`) (providers.docker.host)", e.getMessage());
      ProviderException open = failure(provider.resolve("docker/desk1", CALLER));
      assertTrue(open.getMessage().startsWith("cannot reach the Docker engine at unix://" + socket
          + " to inspect container desk1: there is no socket"), open.getMessage());
    } finally {
      provider.stop();
    }
  }

  @Test
  void aSocketLeftBehindByADeadDaemonIsConnectionRefused() throws Exception {
    Path socket = dir.resolve("stale.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
    }
    // the file stays after the listener is gone, as after a killed dockerd
    DockerTargetProvider provider = ProviderTestConfig.start(new DockerTargetProvider(), dir, "host: 'unix://" + socket + "'");
    try {
      ProviderException e = failure(provider.list(CALLER));
      assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("nothing answers on " + socket + " (connection refused): dockerd is not"
          + " running and left its socket behind"), e.getMessage());
    } finally {
      provider.stop();
    }
  }
}
