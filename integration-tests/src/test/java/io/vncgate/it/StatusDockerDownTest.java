package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.cli.Main;
import io.vncgate.gateway.e2e.GatewayHarness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `vncgate status` against a real gateway whose docker provider has no engine at its socket (the
 * provider started, but cannot list): the providers layer is a problem, an operator's token shows
 * the provider's own words, and the rescue says to start the engine. Needs no Docker.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StatusDockerDownTest {
  @TempDir
  Path dir;

  @Test
  void providersLayerNamesTheDockerEngineAndHowToStartIt() throws Exception {
    Path socket = dir.resolve("run/docker.sock");
    PluginZips.install(PluginZips.docker(), dir.resolve("plugins"));
    try (GatewayHarness gw = GatewayHarness.in(dir).noTcp().auth("  admins: [ops]\n").yaml("""
        providers:
          docker:
            host: 'unix://%s'
        """.formatted(socket)).start()) {
      JsonObject providers = new JsonObject(gw.get("/api/v1/providers", gw.token("ops", "**", Role.CONTROL)).body());
      assertEquals(false, providers.getBoolean("ready"), providers.encode());
      JsonObject docker = providers.getJsonArray("providers").getJsonObject(0);
      assertEquals("failing", docker.getString("state"), providers.encode());
      assertTrue(docker.getString("detail").contains("cannot reach the Docker engine at unix://" + socket), docker.encode());

      Path token = Files.writeString(dir.resolve("ops.token"), gw.token("ops", "**", Role.CONTROL));
      String[] out = new String[1];
      int code = run(out, "status", "--gateway", gw.origin(), "--token-file", token.toString());
      assertEquals(1, code, out[0]);
      assertTrue(out[0].contains("problem  providers  not ready: docker"), out[0]);
      assertTrue(out[0].contains("    detail:  docker: failing: cannot reach the Docker engine at unix://" + socket), out[0]);
      assertTrue(out[0].contains("    rescue:  systemctl start docker   # the Docker engine providers.docker.host names"),
          out[0]);
      assertTrue(out[0].contains("    rescue:  journalctl -u vncgate | grep 'provider=docker'"), out[0]);

      int jsonCode = run(out, "status", "--json", "--gateway", gw.origin(), "--token-file", token.toString());
      assertEquals(1, jsonCode, out[0]);
      // the gateway in this JVM logs to the same standard output: its lines (a time first) left out
      String json = out[0].lines().filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d.*")).collect(Collectors.joining("\n"));
      JsonArray layers = new JsonObject(json).getJsonArray("layers");
      JsonObject layer = layers.stream().map(JsonObject.class::cast).filter(l -> l.getString("layer").equals("providers"))
          .findFirst().orElseThrow();
      assertEquals("problem", layer.getString("state"));
      assertTrue(layer.getJsonArray("rescue").contains("systemctl start docker   # the Docker engine providers.docker.host names"),
          layer.encode());
    }
  }

  /** Runs the command line as `vncgate` does, with its standard output captured. */
  private static synchronized int run(String[] out, String... args) {
    PrintStream previous = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setOut(previous);
      out[0] = bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
