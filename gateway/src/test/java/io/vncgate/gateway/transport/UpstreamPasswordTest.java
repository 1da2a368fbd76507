package io.vncgate.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.SshHop;
import io.vncgate.spi.TargetRoute;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which password the upstream handshake gets; the remote read itself is in RemoteFileReadTest. */
class UpstreamPasswordTest {
  private static final Route.Ssh SSH = new Route.Ssh(List.of(new SshHop("127.0.0.1", 2222, "desk", List.of(),
      Path.of("known_hosts"), List.of())), "127.0.0.1", 5900);
  private static final String PATH = "/home/desk/.vnc/plain";

  /** An upstream whose host file holds {@code contents}, or whose read fails with {@code failure}. */
  private static final class HostFile implements Upstream {
    final byte[] contents;
    final String failure;
    final List<String> reads = new ArrayList<>();

    HostFile(String contents, String failure) {
      this.contents = contents == null ? null : contents.getBytes(StandardCharsets.UTF_8);
      this.failure = failure;
    }

    @Override
    public Future<byte[]> readRemoteFile(String path, int maxBytes) {
      reads.add(path + " max " + maxBytes);
      return failure != null ? Future.failedFuture(new TransportException(failure)) : Future.succeededFuture(contents);
    }

    @Override
    public ReadStream<Buffer> input() {
      throw new UnsupportedOperationException();
    }

    @Override
    public WriteStream<Buffer> output() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Upstream closeHandler(Handler<String> reasonHandler) {
      return this;
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }

    @Override
    public String describe() {
      return "test";
    }
  }

  private static Future<byte[]> onHost(HostFile file) {
    return UpstreamPassword.of(new TargetRoute(SSH, new Credentials.VncPasswordOnHost(PATH)), file);
  }

  private static String text(Future<byte[]> f) {
    assertTrue(f.succeeded(), () -> String.valueOf(f.cause()));
    return new String(f.result(), StandardCharsets.UTF_8);
  }

  @Test
  void firstLineOfTheHostFileWithoutItsLineEndingIsThePassword() {
    HostFile file = new HostFile("s3cret\r\nsecond line\n", null);
    assertEquals("s3cret", text(onHost(file)));
    assertEquals(List.of(PATH + " max 1024"), file.reads);
    assertArrayEquals(new byte[file.contents.length], file.contents, "the file's bytes are zeroed");
    assertEquals("no newline", text(onHost(new HostFile("no newline", null))));
    assertEquals(" spaces kept ", text(onHost(new HostFile(" spaces kept \n", null))));
  }

  @Test
  void emptyFirstLineFailsNamingPathAndHost() {
    for (String contents : new String[] {"", "\n", "\r\nlater\n"}) {
      Future<byte[]> f = onHost(new HostFile(contents, null));
      assertTrue(f.failed());
      assertEquals("cannot read the VNC password from /home/desk/.vnc/plain on 127.0.0.1:2222: its first line is empty",
          f.cause().getMessage());
    }
  }

  @Test
  void readFailureIsWrappedWithPathAndHost() {
    Future<byte[]> f = onHost(new HostFile(null, "No such file or directory"));
    assertEquals("cannot read the VNC password from /home/desk/.vnc/plain on 127.0.0.1:2222: No such file or directory",
        f.cause().getMessage());
    assertTrue(f.cause() instanceof TransportException);
  }

  @Test
  void passwordOnHostNeedsAnSshRoute() {
    HostFile file = new HostFile("pw\n", null);
    Future<byte[]> f = UpstreamPassword.of(
        new TargetRoute(new Route.Tcp("10.0.0.5", 5900), new Credentials.VncPasswordOnHost(PATH)), file);
    assertEquals("the VNC password is in a file on the host (password-remote-file), which needs an SSH route;"
        + " this target's route is 10.0.0.5:5900", f.cause().getMessage());
    assertTrue(file.reads.isEmpty());
  }

  @Test
  void givenPasswordAndNoneNeedNoRead() {
    HostFile file = new HostFile("unused\n", null);
    assertEquals("given", text(UpstreamPassword.of(new TargetRoute(SSH, new Credentials.VncPassword(Secret.of("given"))), file)));
    assertNull(UpstreamPassword.of(new TargetRoute(SSH, new Credentials.None()), file).result());
    assertFalse(file.reads.iterator().hasNext());
  }
}
