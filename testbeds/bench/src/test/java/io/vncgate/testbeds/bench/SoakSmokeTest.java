package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the fault and soak check end to end in its smoke mode (24 cycles through the real gateway
 * jar, real Xvnc killed and restarted) and checks every cycle kind ran, every check is there and
 * passed, and the JSON is what was printed. The long runs are documented in docs/security-testing.md.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class SoakSmokeTest {
  @TempDir
  Path dir;

  @Test
  void smokeRunEndsEveryKindOfCycleAsExpectedAndLeavesTheGatewayAsItFoundIt() throws Exception {
    Path json = dir.resolve("soak.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    JsonObject returned = Soak.run(new String[] {"--smoke", "--work", dir.resolve("work").toString(),
        "--json", json.toString()}, new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);

    JsonObject result = new JsonObject(Files.readString(json));
    assertEquals(returned, result);
    assertEquals("smoke", result.getJsonObject("settings").getString("mode"));

    JsonObject kinds = result.getJsonObject("kinds");
    int total = 0;
    for (SoakCycle k : SoakCycle.values()) {
      JsonObject kind = kinds.getJsonObject(k.name().toLowerCase());
      assertTrue(kind.getInteger("cycles") > 0, k + " never ran: " + printed);
      assertEquals(0, kind.getInteger("not_as_expected"), k + ": " + kind.getJsonArray("failures") + "\n" + printed);
      total += kind.getInteger("cycles");
    }
    assertEquals(result.getJsonObject("settings").getInteger("cycles"), total);
    assertTrue(result.getInteger("server_kills") > 0, printed);

    List<String> names = new ArrayList<>();
    JsonArray checks = result.getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      JsonObject c = checks.getJsonObject(i);
      names.add(c.getString("check"));
      assertTrue(c.getBoolean("pass"), c.encode() + "\n" + printed);
    }
    assertTrue(names.containsAll(List.of("gateway alive", "cycles as expected", "open fds", "threads", "heap after GC",
        "vncgate_tickets_live", "vncgate_roster_sessions", "vncgate_roster_viewers", "API roster sessions")), names.toString());
    // the figures compared are real readings, not defaults
    JsonObject before = result.getJsonObject("before");
    assertTrue(before.getInteger("fds") > 0 && before.getInteger("threads") > 0 && before.getLong("heap_after_gc_bytes") > 0,
        before.encode());
    assertTrue(before.getJsonObject("fds_by_kind").containsKey("socket"), before.encode());
    assertTrue(result.getBoolean("pass"));
    assertTrue(printed.contains("soak: PASS"), printed);
  }
}
