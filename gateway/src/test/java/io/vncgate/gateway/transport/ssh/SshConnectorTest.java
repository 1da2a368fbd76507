package io.vncgate.gateway.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The SSH route end to end: a MINA SSH server forwarding to a real Xvnc on its loopback. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshConnectorTest {
  private static final String RFB_38 = "RFB 003.008\n";

  static XvncServer xvnc;

  @TempDir
  Path dir;
  SshFixture ssh;
  SshConnector connector;

  @BeforeAll
  static void startXvnc() throws Exception {
    // blacklist off: the viewers here hang up after the banner, before authenticating
    xvnc = XvncServer.builder().blacklist(false).start();
  }

  @AfterAll
  static void stopXvnc() {
    if (xvnc != null) xvnc.close();
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    ssh = new SshFixture(dir);
    connector = new SshConnector(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ssh.close();
  }

  @Test
  void desktopBannerArrivesThroughTheTunnelAndTheHandshakeGoesOn(VertxTestContext test) {
    connector.connect(ssh.route(xvnc.port()))
        .map(TestViewer::new)
        .compose(viewer -> viewer.read(12).compose(banner -> {
          test.verify(() -> assertEquals(RFB_38, banner.toString()));
          return viewer.write(RFB_38).compose(v -> viewer.read(2));
        }))
        .onComplete(test.succeeding(types -> test.verify(() -> {
          // one security type offered: None (1)
          assertEquals(1, types.getByte(0));
          assertEquals(1, types.getByte(1));
          assertEquals(1, ssh.server.channelsOpened());
          test.completeNow();
        })));
  }

  @Test
  void tenViewersShareOneSshSession(VertxTestContext test) {
    List<Future<Buffer>> banners = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      banners.add(connector.connect(ssh.route(xvnc.port())).map(TestViewer::new).compose(v -> v.read(12)));
    }
    Future.all(banners).onComplete(test.succeeding(all -> test.verify(() -> {
      for (int i = 0; i < 10; i++) assertEquals(RFB_38, all.<Buffer>resultAt(i).toString());
      assertEquals(1, ssh.server.sessionsCreated(), "SSH sessions the server saw");
      assertEquals(10, ssh.server.channelsOpened(), "forwarding channels the server opened");
      assertEquals(1, connector.pooledSessions());
      test.completeNow();
    })));
  }

  @Test
  void killedSshServerEndsTheViewerWithAReason(Vertx vertx, VertxTestContext test) {
    LoopbackServers.echo(vertx)
        .compose(echo -> connector.connect(ssh.route(echo.actualPort())))
        .map(TestViewer::new)
        .compose(viewer -> viewer.write("ping").compose(v -> viewer.read(4)).compose(pong -> {
          test.verify(() -> assertEquals("ping", pong.toString()));
          ssh.server.kill();
          return viewer.closeReason();
        }))
        .onComplete(test.succeeding(reason -> test.verify(() -> {
          assertTrue(reason != null && reason.startsWith("SSH session to 127.0.0.1:" + ssh.server.port() + " dropped: "),
              "reason: " + reason);
          test.completeNow();
        })));
  }

  @Test
  void vncServerClosingGivesNoTransportReason(Vertx vertx, VertxTestContext test) {
    LoopbackServers.closing(vertx)
        .compose(server -> connector.connect(ssh.route(server.actualPort())))
        .map(TestViewer::new)
        .compose(viewer -> viewer.read(3).compose(bye -> {
          test.verify(() -> assertEquals("bye", bye.toString()));
          return viewer.ended().compose(v -> viewer.closeReason());
        }))
        .onComplete(test.succeeding(reason -> test.verify(() -> {
          assertNull(reason);
          test.completeNow();
        })));
  }

  @Test
  void closingAChannelKeepsTheSessionForTheNextViewer(Vertx vertx, VertxTestContext test) {
    Future<NetServer> echo = LoopbackServers.echo(vertx);
    echo.compose(server -> connector.connect(ssh.route(server.actualPort())))
        .compose(first -> first.close())
        .compose(v -> connector.connect(ssh.route(echo.result().actualPort())))
        .map(TestViewer::new)
        .compose(viewer -> viewer.write("again").compose(v -> viewer.read(5)))
        .onComplete(test.succeeding(data -> test.verify(() -> {
          assertEquals("again", data.toString());
          assertEquals(1, ssh.server.sessionsCreated());
          assertEquals(2, ssh.server.channelsOpened());
          test.completeNow();
        })));
  }
}
