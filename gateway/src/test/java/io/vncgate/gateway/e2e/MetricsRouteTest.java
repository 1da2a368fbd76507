package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} is answered before the routes added to the gateway (the page's static
 * files match every GET outside /api and /ws): looking "metrics" up among the jar's files first
 * cost 61-134 ms of CPU per scrape.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsRouteTest {
  @TempDir
  Path dir;

  @Test
  void aScrapeNeverReachesTheAddedRoutesAndThePageStillDoes() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (GatewayHarness gw = GatewayHarness.in(dir)
        .route(router -> router.route().method(HttpMethod.GET).handler(ctx -> {
          seen.add(ctx.request().path());
          ctx.next();
        }))
        .webUi()
        .start()) {
      HttpResponse<String> metrics = gw.get("/metrics", null);
      assertEquals(200, metrics.statusCode(), metrics.body());
      assertTrue(metrics.body().contains("vncgate_build_info"), metrics.body());
      assertFalse(seen.contains("/metrics"), "the scrape went through the added routes: " + seen);
      HttpResponse<String> page = gw.get("/", null);
      assertEquals(200, page.statusCode());
      assertTrue(seen.contains("/"), "the added routes still serve other GETs: " + seen);
    }
  }
}
