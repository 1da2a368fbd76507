package io.vncgate.gateway.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Sessions are shared while used, closed when idle, and forgotten when they drop. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshSessionPoolTest {
  @TempDir
  Path dir;
  SshFixture ssh;
  SshConnector connector;
  NetServer echo;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    ssh = new SshFixture(dir);
    connector = new SshConnector(vertx, SshSettings.DEFAULTS.withIdleSessionClose(Duration.ofMillis(300)));
    echo = LoopbackServers.echo(vertx).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ssh.close();
  }

  @Test
  void idleSessionIsClosedAfterTheDelay(Vertx vertx, VertxTestContext test) {
    connector.connect(ssh.route(echo.actualPort()))
        .compose(up -> up.close())
        .onComplete(test.succeeding(v -> vertx.setTimer(1500, t -> test.verify(() -> {
          assertEquals(0, connector.pooledSessions(), "sessions in the pool");
          assertEquals(0, ssh.server.sessionsOpen(), "sessions open on the server");
          test.completeNow();
        }))));
  }

  @Test
  void sessionInUseOutlivesTheIdleDelay(Vertx vertx, VertxTestContext test) {
    connector.connect(ssh.route(echo.actualPort()))
        .map(TestViewer::new)
        .onComplete(test.succeeding(viewer -> vertx.setTimer(1000, t -> viewer.write("still").compose(x -> viewer.read(5))
            .onComplete(test.succeeding(data -> test.verify(() -> {
              assertEquals("still", data.toString());
              assertEquals(1, ssh.server.sessionsOpen());
              test.completeNow();
            }))))));
  }

  @Test
  void droppedSessionLeavesThePoolAndTheNextViewerLogsInAgain(Vertx vertx, VertxTestContext test) {
    connector.connect(ssh.route(echo.actualPort()))
        .map(TestViewer::new)
        .compose(viewer -> {
          ssh.server.dropSessions();
          return viewer.closeReason();
        })
        .compose(reason -> connector.connect(ssh.route(echo.actualPort())))
        .map(TestViewer::new)
        .compose(viewer -> viewer.write("back").compose(x -> viewer.read(4)))
        .onComplete(test.succeeding(data -> test.verify(() -> {
          assertEquals("back", data.toString());
          assertEquals(2, ssh.server.sessionsCreated());
          test.completeNow();
        })));
  }
}
