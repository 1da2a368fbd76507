package io.vncgate.providers.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExampleProviderTest {
  private static final Caller ALICE = new Caller("alice", "control");

  @TempDir
  Path dir;

  private ExampleProvider started(Map<String, Object> config) {
    ExampleProvider provider = new ExampleProvider();
    ProviderConfig section = new ProviderConfig("providers.example", config);
    provider.start(new ProviderContext() {
      @Override
      public ProviderConfig config() {
        return section;
      }

      @Override
      public Path configDirectory() {
        return dir;
      }

      @Override
      public String gatewayVersion() {
        return "0.1.0";
      }
    });
    return provider;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void listsTargetsWithComputedLabels() throws Exception {
    ExampleProvider p = started(Map.of("targets", List.of(
        Map.of("id", "desk", "host", "127.0.0.1", "port", 5901),
        Map.of("id", "lab", "name", "Lab PC", "host", "10.0.0.5", "maintenance", "moving"))));
    List<TargetInfo> targets = await(p.list(ALICE));
    assertEquals(List.of("example/desk", "example/lab"), targets.stream().map(TargetInfo::id).toList());
    assertEquals(Map.of("network", "loopback", "auth", "none"), targets.get(0).labels());
    assertEquals(Map.of("network", "private", "auth", "none", "maintenance", "yes"), targets.get(1).labels());
    assertEquals("Lab PC", targets.get(1).name());
  }

  @Test
  void resolvesToTcpWithThePasswordReadAtConnectTime() throws Exception {
    Files.writeString(dir.resolve("desk.vncpass"), "first\n");
    ExampleProvider p = started(Map.of("targets", List.of(
        Map.of("id", "desk", "host", "198.51.100.7", "port", 5901, "password-file", "desk.vncpass"))));
    TargetRoute route = await(p.resolve("example/desk", ALICE));
    assertEquals(new Route.Tcp("198.51.100.7", 5901), route.route());
    assertEquals("first", ((Credentials.VncPassword) route.credentials()).password().reveal());
    Files.writeString(dir.resolve("desk.vncpass"), "second\n");
    assertEquals("second", ((Credentials.VncPassword) await(p.resolve("example/desk", ALICE)).credentials())
        .password().reveal());
  }

  @Test
  void maintenanceAndUnknownIdsFailWithNamedKinds() {
    ExampleProvider p = started(Map.of("targets", List.of(Map.of("id", "old", "host", "h", "maintenance", "disk swap"))));
    ExecutionException maintenance = assertThrows(ExecutionException.class, () -> await(p.resolve("example/old", ALICE)));
    ProviderException e = assertInstanceOf(ProviderException.class, maintenance.getCause());
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertEquals("example/old is in maintenance: disk swap", e.getMessage());
    ExecutionException unknown = assertThrows(ExecutionException.class, () -> await(p.resolve("example/nope", ALICE)));
    assertEquals(ProviderException.Kind.NOT_FOUND, ((ProviderException) unknown.getCause()).kind());
  }

  @Test
  void configErrorsNameTheKey() {
    ProviderConfigException badPort = assertThrows(ProviderConfigException.class,
        () -> started(Map.of("targets", List.of(Map.of("id", "a", "host", "h", "port", 70000)))));
    assertEquals("providers.example.targets[0].port", badPort.key());
    ProviderConfigException twice = assertThrows(ProviderConfigException.class, () -> started(Map.of("targets",
        List.of(Map.of("id", "a", "host", "h"), Map.of("id", "a", "host", "h2")))));
    assertEquals("providers.example.targets[1].id", twice.key());
    ProviderConfigException typo = assertThrows(ProviderConfigException.class,
        () -> started(Map.of("targets", List.of(Map.of("id", "a", "hots", "h")))));
    assertTrue(typo.getMessage().startsWith("providers.example.targets[0].hots: unknown key"), typo.getMessage());
    ProviderConfigException missingFile = assertThrows(ProviderConfigException.class,
        () -> started(Map.of("targets", List.of(Map.of("id", "a", "host", "h", "password-file", "nope")))));
    assertEquals("providers.example.targets[0].password-file", missingFile.key());
  }
}
