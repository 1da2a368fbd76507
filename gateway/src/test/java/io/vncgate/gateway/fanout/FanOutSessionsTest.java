package io.vncgate.gateway.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.spi.Sharing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which targets fan out (config over provider), and the registry's one-setup-per-target rule:
 * viewers that arrive while the first one's upstream is being set up wait for that same setup,
 * and a failed setup is told to all of them and tried afresh by the next viewer.
 */
@Timeout(30)
class FanOutSessionsTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private GatewayConfig config(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + yaml);
    return ConfigLoader.load(f);
  }

  @Test
  void theFirstMatchingGlobOfTheConfigWinsOverTheProviderWhichDecidesTheRest() throws Exception {
    GatewayConfig c = config("sessions:\n  sharing:\n    \"kubevirt/ns1/*\": per-viewer\n    \"static/lab-*\": fan-out\n"
        + "    \"static/**\": per-viewer\n");
    FanOutSessions s = new FanOutSessions(vertx, c, t -> t.startsWith("kubevirt/") ? Sharing.FAN_OUT : null);
    assertEquals(Sharing.PER_VIEWER, s.sharing("kubevirt/ns1/vm1"), "the config overrides the provider");
    assertEquals(Sharing.FAN_OUT, s.sharing("kubevirt/ns2/vm1"), "the provider's word where the config is silent");
    assertEquals(Sharing.FAN_OUT, s.sharing("static/lab-1"));
    assertEquals(Sharing.PER_VIEWER, s.sharing("static/lab-1/x"), "* stays within one segment; static/** matches");
    assertEquals(Sharing.PER_VIEWER, s.sharing("ssh/box"), "a provider without an answer: per viewer");
  }

  @Test
  void viewersArrivingDuringTheSetupWaitForItAndAFailedSetupIsToldToAllAndTriedAfreshNextTime() throws Exception {
    FanOutSessions s = new FanOutSessions(vertx, config(""), t -> Sharing.FAN_OUT);
    AtomicInteger setups = new AtomicInteger();
    Promise<FanOutSession.Opened> setup = Promise.promise();
    FanOutSessions.Hold[] holds = new FanOutSessions.Hold[3];
    vertx.runOnContext(v -> {
      for (int i = 0; i < holds.length; i++) {
        holds[i] = s.hold("static/desk", () -> {
          setups.incrementAndGet();
          return setup.future();
        });
      }
    });
    waitUntil(() -> holds[2] != null);
    assertEquals(1, setups.get(), "three viewers at once: one upstream setup");
    assertEquals(3, s.holders());
    assertSame(holds[0].session(), holds[2].session(), "they wait for the same session");
    assertFalse(holds[0].session().isComplete());
    IllegalStateException refused = new IllegalStateException("target static/desk unreachable: connection refused");
    setup.fail(refused);
    for (FanOutSessions.Hold h : holds) {
      waitUntil(() -> h.session().isComplete());
      assertSame(refused, h.session().cause(), "every waiting viewer is told why");
    }
    assertEquals(0, s.sessions());
    assertEquals(0, s.upstreamsOpened());
    for (FanOutSessions.Hold h : holds) {
      h.release();
      h.release(); // idempotent
    }
    assertEquals(0, s.holders());
    FanOutSessions.Hold next = s.hold("static/desk", () -> {
      setups.incrementAndGet();
      return Future.failedFuture("again");
    });
    waitUntil(() -> next.session().isComplete());
    assertEquals(2, setups.get(), "a failed setup is not kept: the next viewer tries again");
    next.release();
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out");
      Thread.sleep(10);
    }
  }
}
