package io.vncgate.gateway.cli;

import io.vertx.core.Vertx;
import io.vncgate.gateway.Gateway;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.ui.WebUi;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vncgate serve --config FILE}. */
@Command(name = "serve", description = "Run the gateway.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config file")
  Path config;

  @Override
  public Integer call() throws Exception {
    GatewayConfig cfg = ConfigLoader.load(config);
    Vertx vertx = Vertx.vertx(Gateway.vertxOptions());
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, cfg, List.of(WebUi::mount)).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        gateway.close().eventually(vertx::close).await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down anyway
      }
      stopped.countDown();
    }, "vncgate-shutdown"));
    stopped.await();
    return 0;
  }
}
