package io.vncgate.gateway.transport.ws;

import static io.vncgate.gateway.transport.OnContext.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.transport.OnContext;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.gateway.transport.WebSocketConnector;
import io.vncgate.spi.Route;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The WebSocket upstream against a real Vert.x WebSocket server: the viewer's bytes go out in
 * whole binary frames of at most the route's size (128 KiB by default, Proxmox's limit), and a
 * slow side never makes the gateway buffer without bound, in either direction.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketUpstreamTest {
  Vertx vertx;
  Vertx serverVertx;
  Context context;
  OnContext on;
  UpstreamWsServer server;
  WebSocketConnector connector;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    serverVertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    on = new OnContext(context);
    server = new UpstreamWsServer(serverVertx, 1);
    connector = new WebSocketConnector(vertx, Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().await(10, TimeUnit.SECONDS);
    server.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    serverVertx.close().await(10, TimeUnit.SECONDS);
  }

  private Route.WebSocket route(String path) {
    return new Route.WebSocket(URI.create(server.url(path)), Map.of(), List.of("binary"), null);
  }

  @Test
  void writesAreSplitIntoWholeFramesOfAtMost128KiB() throws Exception {
    Upstream up = on.await(() -> connector.connect(route("/record")));
    on.await(() -> up.output().write(Buffer.buffer(new byte[300_000])));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.frameSizes.stream().mapToInt(Integer::intValue).sum() < 300_000 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(List.of(131072, 131072, 300_000 - 2 * 131072), server.frameSizes);
    on.onContext(up::close);
  }

  @Test
  void pausedInputStopsReadingAndTheServerStopsSending() throws Exception {
    Upstream up = on.await(() -> connector.connect(route("/flood")));
    AtomicLong received = new AtomicLong();
    on.await(() -> {
      Promise<Void> first = Promise.promise();
      up.input().handler(b -> {
        if (received.getAndAdd(b.length()) == 0) {
          up.input().pause();
          first.complete();
        }
      });
      up.input().resume();
      return first.future();
    });
    Thread.sleep(1500);
    long got = received.get();
    long sent = server.floodSent.get();
    Thread.sleep(1000);
    assertEquals(got, received.get(), "bytes delivered while paused");
    assertTrue(server.floodSent.get() - sent < 1024 * 1024, "the server stalled: " + server.floodSent.get());
    // socket buffers and a few queued frames bound what is in flight
    assertTrue(server.floodSent.get() < 32L * 1024 * 1024, "bytes in flight are bounded: " + server.floodSent.get());

    on.onContext(() -> up.input().resume());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (received.get() < got + 8L * 1024 * 1024 && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(received.get() >= got + 8L * 1024 * 1024, "data flows again after resume: " + received.get());
    on.onContext(up::close);
  }

  @Test
  void writeQueueFillsWhenTheServerDoesNotReadAndDrainsWhenItDoes() throws Exception {
    Upstream up = on.await(() -> connector.connect(route("/sink")));
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    AtomicLong written = new AtomicLong();
    on.onContext(() -> fill(up, chunk, written));
    long last = -1;
    for (int i = 0; i < 40 && written.get() != last; i++) {
      last = written.get();
      Thread.sleep(300);
    }
    assertTrue(on.onContext(() -> up.output().writeQueueFull()), "queue full after " + written + " bytes");
    assertEquals(0, server.sinkReceived.get(), "the server has not read yet");
    assertTrue(written.get() < 32L * 1024 * 1024, "the writer was held back after " + written + " bytes");

    CompletableFuture<Void> drained = new CompletableFuture<>();
    on.onContext(() -> up.output().drainHandler(v -> drained.complete(null)));
    server.resumeSink();
    drained.get(20, TimeUnit.SECONDS);
    on.onContext(up::close);
  }

  @Test
  void aServerThatNeverAnswersTheUpgradeFailsWithinTheConnectTimeout() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      WebSocketConnector quick = new WebSocketConnector(vertx, Duration.ofMillis(800));
      try {
        Route.WebSocket route = new Route.WebSocket(URI.create("ws://127.0.0.1:" + silent.getLocalPort()
            + "/vnc?ticket=s3cret"), Map.of(), List.of(), null);
        long start = System.nanoTime();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> on.await(() -> quick.connect(route)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("the target's WebSocket did not complete the connection within 800 ms (TCP, TLS and the HTTP"
            + " upgrade at ws://127.0.0.1:" + silent.getLocalPort() + "/vnc)", e.getCause().getMessage());
        assertTrue(ms < 5000, "failed after " + ms + " ms");
      } finally {
        quick.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aSubprotocolTheServerDoesNotPickIsNamed() throws Exception {
    Route.WebSocket route = new Route.WebSocket(URI.create(server.url("/record")), Map.of(), List.of("no.such.protocol"),
        null);
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> on.await(() -> connector.connect(route)));
    assertEquals("the target's WebSocket did not accept the subprotocol offered (no.such.protocol) at " + server.url("/record"),
        e.getCause().getMessage());
  }

  @Test
  void aConnectionRefusedIsNamed() throws Exception {
    int port = io.vncgate.testbeds.FreePorts.next();
    Route.WebSocket route = new Route.WebSocket(URI.create("ws://127.0.0.1:" + port + "/"), Map.of(), List.of(), null);
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> on.await(() -> connector.connect(route)));
    assertEquals("connection refused", e.getCause().getMessage());
  }

  @Test
  void aFrameOverTheIncomingCapEndsTheConnectionInWords() throws Exception {
    Upstream up = on.await(() -> connector.connect(route("/huge")));
    CompletableFuture<String> reason = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    on.onContext(() -> {
      up.closeHandler(reason::complete);
      up.input().handler(b -> received.addAndGet(b.length()));
      up.input().resume();
    });
    assertEquals("the target's WebSocket failed: the target sent a WebSocket frame larger than 16 MiB",
        reason.get(20, TimeUnit.SECONDS));
    assertEquals(0, received.get(), "nothing of the frame was relayed");
  }
}
