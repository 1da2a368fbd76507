package io.vncgate.gateway.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /metrics} builds its text off the event loop that took the request, so a slow scrape
 * does not hold up the viewers that loop relays.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theEventLoopThatTookTheScrapeRunsOtherWorkWhileTheTextIsBuilt() throws Exception {
    AtomicReference<Context> loop = new AtomicReference<>();
    AtomicBoolean onEventLoop = new AtomicBoolean(true);
    AtomicBoolean loopRanMeanwhile = new AtomicBoolean(false);
    Supplier<String> slowScrape = () -> {
      onEventLoop.set(Context.isOnEventLoopThread());
      // a task on the loop that took the request: it runs while this scrape is still going only
      // if the scrape is not holding that loop
      CountDownLatch ran = new CountDownLatch(1);
      loop.get().runOnContext(v -> ran.countDown());
      try {
        loopRanMeanwhile.set(ran.await(5, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "vncgate_test_total 1\n";
    };
    int port = serve(slowScrape, loop);
    HttpResponse<String> r = get(port);
    assertEquals(200, r.statusCode());
    assertEquals("vncgate_test_total 1\n", r.body());
    assertEquals(MetricsEndpoint.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
    assertFalse(onEventLoop.get(), "the scrape ran on an event loop");
    assertTrue(loopRanMeanwhile.get(), "the event loop that took the request was held by the scrape");
  }

  @Test
  void aFailedScrapeIsA500ThatSaysSoWithoutTheCause() throws Exception {
    int port = serve(() -> {
      throw new IllegalStateException("meter exploded");
    }, new AtomicReference<>());
    HttpResponse<String> r = get(port);
    assertEquals(500, r.statusCode());
    assertTrue(r.body().contains("the metrics could not be read"), r.body());
    assertFalse(r.body().contains("exploded"), r.body());
  }

  private int serve(Supplier<String> scrape, AtomicReference<Context> loop) {
    MetricsEndpoint endpoint = new MetricsEndpoint(scrape, null);
    Router router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> {
      loop.set(Vertx.currentContext());
      endpoint.handle(ctx);
    });
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  private HttpResponse<String> get(int port) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
