package io.vncgate.gateway.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vncgate.gateway.transport.Upstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Upstream#readRemoteFile} over a real SSH session: the test SSH server runs the exec
 * request with {@code /bin/sh -c}, as OpenSSH would, so {@code cat}, its exit status, its stderr
 * and the shell's parsing of the quoted path are all real.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteFileReadTest {
  private static final int CAP = 1024;

  @TempDir
  Path dir;
  SshFixture ssh;
  SshConnector connector;
  NetServer echo;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    ssh = new SshFixture(dir);
    ssh.server.allowExec();
    connector = new SshConnector(vertx);
    echo = LoopbackServers.echo(vertx).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ssh.close();
  }

  /** Opens a forwarding channel as the relay does, then reads {@code path} over its session. */
  private Future<byte[]> read(SshConnector c, Path path) {
    return c.connect(ssh.route(echo.actualPort()))
        .compose(up -> up.readRemoteFile(path.toString(), CAP).eventually(up::close));
  }

  @Test
  void pathWithSpacesQuotesAndShellCharactersReachesCatIntact(VertxTestContext test) throws Exception {
    Path file = Files.createDirectories(dir.resolve("a dir")).resolve("it's a \"pw\" $HOME `id` \\ ;&|*.txt");
    Files.writeString(file, "s3cret\nsecond line\n");
    read(connector, file).onComplete(test.succeeding(bytes -> test.verify(() -> {
      assertTrue(Context.isOnEventLoopThread(), "completes on the event loop");
      assertEquals("s3cret\nsecond line\n", new String(bytes, StandardCharsets.UTF_8), "the whole file, as is");
      String quoted = file.toString().replace("'", "'\\''");
      assertEquals(List.of("cat -- '" + quoted + "'"), ssh.server.execCommands());
      assertEquals(1, ssh.server.sessionsCreated(), "the forwarding channel's session carried the exec too");
      test.completeNow();
    })));
  }

  @Test
  void fileOfExactlyTheCapIsRead(VertxTestContext test) throws Exception {
    Path file = Files.write(dir.resolve("full"), "p".repeat(CAP).getBytes(StandardCharsets.US_ASCII));
    read(connector, file).onComplete(test.succeeding(bytes -> test.verify(() -> {
      assertEquals(CAP, bytes.length);
      test.completeNow();
    })));
  }

  @Test
  void fileOneByteOverTheCapIsRefusedWithoutItsContents(VertxTestContext test) throws Exception {
    Path file = Files.write(dir.resolve("big"), "Q".repeat(CAP + 1).getBytes(StandardCharsets.US_ASCII));
    read(connector, file).onComplete(test.failing(e -> test.verify(() -> {
      assertEquals("the file is larger than 1024 bytes; it should hold just the VNC password", e.getMessage());
      test.completeNow();
    })));
  }

  @Test
  void missingFileFailsWithCatsReasonFromItsNonZeroExit(VertxTestContext test) {
    read(connector, dir.resolve("no such 'file'")).onComplete(test.failing(e -> test.verify(() -> {
      assertEquals("No such file or directory", e.getMessage());
      test.completeNow();
    })));
  }

  @Test
  void directoryFailsWithCatsReason(VertxTestContext test) {
    read(connector, dir).onComplete(test.failing(e -> test.verify(() -> {
      assertEquals("Is a directory", e.getMessage());
      test.completeNow();
    })));
  }

  @Test
  void emptyFileIsReadAsNoBytes(VertxTestContext test) throws Exception {
    Path file = Files.write(dir.resolve("empty"), new byte[0]);
    read(connector, file).onComplete(test.succeeding(bytes -> test.verify(() -> {
      assertArrayEquals(new byte[0], bytes);
      test.completeNow();
    })));
  }

  @Test
  void catThatNeverFinishesTimesOutAndTheSessionStaysUsable(Vertx vertx, VertxTestContext test) throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());
    Path good = Files.writeString(dir.resolve("good"), "ok\n");
    SshConnector quick = new SshConnector(vertx, SshSettings.DEFAULTS.withConnectTimeout(Duration.ofSeconds(1)));
    read(quick, fifo)
        .onComplete(test.failing(e -> test.verify(() -> assertEquals("cat did not finish within 1s", e.getMessage()))))
        .recover(e -> read(quick, good))
        .eventually(quick::close)
        .onComplete(test.succeeding(bytes -> test.verify(() -> {
          assertEquals("ok\n", new String(bytes, StandardCharsets.UTF_8));
          assertEquals(1, ssh.server.sessionsCreated(), "the timed-out exec did not cost the session");
          test.completeNow();
        })));
  }

  @Test
  void serverThatRefusesExecSaysSoPromptly(VertxTestContext test) throws Exception {
    try (SshFixture noExec = new SshFixture(Files.createDirectory(dir.resolve("no-exec")))) {
      Path file = Files.writeString(dir.resolve("pw"), "pw\n");
      long started = System.nanoTime();
      connector.connect(noExec.route(echo.actualPort()))
          .compose(up -> up.readRemoteFile(file.toString(), CAP).eventually(up::close))
          .onComplete(test.failing(e -> test.verify(() -> {
            assertEquals("the SSH server ran no command or reported no exit status (does it allow exec for this user?)",
                e.getMessage());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "no wait for the timeout");
            test.completeNow();
          })));
      assertTrue(test.awaitCompletion(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void closingTheUpstreamEndsAReadInFlight(VertxTestContext test) throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    connector.connect(ssh.route(echo.actualPort()))
        .compose(up -> {
          Future<byte[]> reading = up.readRemoteFile(fifo.toString(), CAP);
          up.close();
          return reading;
        })
        .onComplete(test.failing(e -> test.verify(() -> {
          assertEquals("the connection was closed", e.getMessage());
          test.completeNow();
        })));
  }

  @Test
  void stderrBecomesAFewWords() {
    Function<String, String> reason = RemoteFileRead::reason;
    assertEquals("No such file or directory", reason.apply("cat: /home/desk/.vnc/plain: No such file or directory\n"));
    assertEquals("Permission denied", reason.apply("cat: '/tmp/a: b': Permission denied\nmore\n"));
    assertEquals("sh: 1: cat: not found", reason.apply("sh: 1: cat: not found\n"));
    assertEquals("bad", reason.apply("\u0007b\u0000ad\r\n"), "control characters dropped");
    assertEquals(201, reason.apply("x".repeat(500)).length(), "capped, with an ellipsis");
    assertNull(reason.apply(" \n"));
    assertEquals("cat -- '/a'\\''b c'", RemoteFileRead.command("/a'b c"));
  }
}
