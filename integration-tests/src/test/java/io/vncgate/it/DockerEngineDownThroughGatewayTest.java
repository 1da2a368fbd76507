package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vncgate.gateway.e2e.GatewayHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The docker plugin in the real gateway with no engine at its socket: the gateway starts, the
 * list leaves the provider out, and the operator's log says which socket and what to do. Needs no
 * Docker, so it runs on every machine.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DockerEngineDownThroughGatewayTest {
  @TempDir
  Path dir;

  @Test
  void theGatewayStartsListsNothingFromDockerAndTheLogSaysWhichSocketAndWhatToDo() throws Exception {
    Path socket = dir.resolve("run/docker.sock");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    PluginZips.install(PluginZips.docker(), dir.resolve("plugins"));
    try (GatewayHarness gw = GatewayHarness.in(dir).yaml("""
        providers:
          docker:
            host: 'unix://%s'
        """.formatted(socket)).start()) {
      assertEquals(0, gw.targets().size());
      String expected = "cannot reach the Docker engine at unix://" + socket + " to list its containers: there is no"
          + " socket at " + socket + ": is dockerd running?";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!logText(logs).contains(expected) && System.nanoTime() < deadline) Thread.sleep(100);
      assertTrue(logText(logs).contains("provider=docker could not list targets: " + expected), logText(logs));
      assertTrue(logText(logs).contains("docker: cannot reach the Docker engine at unix://" + socket
          + " to ask for its version"), "said at start too: " + logText(logs));
    } finally {
      root.detachAppender(logs);
    }
  }

  private static String logText(ListAppender<ILoggingEvent> logs) {
    StringBuilder out = new StringBuilder();
    synchronized (logs) {
      for (ILoggingEvent e : List.copyOf(logs.list)) out.append(e.getFormattedMessage()).append('\n');
    }
    return out.toString();
  }
}
