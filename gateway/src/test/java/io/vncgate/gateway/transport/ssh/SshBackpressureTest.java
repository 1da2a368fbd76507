package io.vncgate.gateway.transport.ssh;

import static io.vncgate.gateway.transport.OnContext.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vncgate.gateway.transport.OnContext;
import io.vncgate.gateway.transport.Upstream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A slow side never makes the gateway buffer without bound, in either direction. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SshBackpressureTest {
  @TempDir
  Path dir;
  SshFixture ssh;
  SshConnector connector;
  Vertx vertx;
  Context context;
  OnContext on;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    on = new OnContext(context);
    ssh = new SshFixture(dir);
    connector = new SshConnector(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ssh.close();
  }

  @Test
  void pausedInputStopsReadingAndTheServerStopsSending() throws Exception {
    AtomicLong sent = new AtomicLong();
    int port = on.await(() -> LoopbackServers.flood(vertx, sent)).actualPort();
    Upstream up = on.await(() -> connector.connect(ssh.route(port)));
    SshUpstream ssh = (SshUpstream) up;
    AtomicLong received = new AtomicLong();
    on.await(() -> {
      Promise<Void> first = Promise.promise();
      up.input().handler(b -> {
        if (received.getAndAdd(b.length()) == 0) {
          up.input().pause();
          first.complete();
        }
      });
      return first.future();
    });
    Thread.sleep(1500);
    long reads = on.onContext(() -> ssh.inputStream().readsIssued());
    long got = received.get();
    long floodSent = sent.get();
    Thread.sleep(1000);
    assertEquals(reads, (long) on.onContext(() -> ssh.inputStream().readsIssued()), "reads issued while paused");
    assertEquals(got, received.get(), "bytes delivered while paused");
    // the SSH window (2 MiB by default) and socket buffers bound what is in flight
    assertTrue(sent.get() - floodSent < 1024 * 1024, "the flood server stalled: " + sent.get());
    assertTrue(sent.get() < 32L * 1024 * 1024, "bytes in flight are bounded: " + sent.get());

    on.onContext(() -> up.input().resume());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (received.get() < got + 8L * 1024 * 1024 && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(received.get() >= got + 8L * 1024 * 1024, "data flows again after resume: " + received.get());
    on.onContext(up::close);
  }

  @Test
  void writeQueueFillsWhenTheServerDoesNotReadAndDrainsWhenItDoes() throws Exception {
    AtomicReference<NetSocket> sinkSocket = new AtomicReference<>();
    AtomicLong sinkReceived = new AtomicLong();
    int port = on.await(() -> LoopbackServers.sink(vertx, sinkSocket, sinkReceived)).actualPort();
    Upstream up = on.await(() -> connector.connect(ssh.route(port)));
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    AtomicLong written = new AtomicLong();
    // a writer that honours writeQueueFull and the drain handler, like a Vert.x pipe
    on.onContext(() -> fill(up, chunk, written));
    long last = -1;
    for (int i = 0; i < 40 && written.get() != last; i++) {
      last = written.get();
      Thread.sleep(300);
    }
    long queued = on.onContext(() -> ((SshUpstream) up).outputStream().queuedBytes());
    assertTrue(on.onContext(() -> up.output().writeQueueFull()), "queue full after " + written + " bytes");
    assertTrue(sinkReceived.get() == 0, "the sink has not read yet");
    assertTrue(queued <= ChannelWriteStream.DEFAULT_MAX_QUEUE + chunk.length(), "queued " + queued);
    assertTrue(written.get() < 32L * 1024 * 1024, "the writer was held back after " + written + " bytes");

    CompletableFuture<Void> drained = new CompletableFuture<>();
    on.onContext(() -> up.output().drainHandler(v -> drained.complete(null)));
    sinkSocket.get().resume();
    drained.get(20, TimeUnit.SECONDS);
    on.onContext(up::close);
  }
}
