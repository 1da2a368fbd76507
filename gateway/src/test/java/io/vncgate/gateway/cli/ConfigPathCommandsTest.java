package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.UserPrincipal;
import io.vncgate.gateway.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `token`, `plugins` and `open` without --config find it as `serve` does: VNCGATE_CONFIG, the default path, else words. */
@Timeout(60)
class ConfigPathCommandsTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private Path config() throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "config-path-commands-test-secret-0123456789\n");
    return Files.writeString(dir.resolve("from-env.yaml"), "auth:\n  jwt: {secret-file: jwt.key}\n"
        + "providers:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: 5901}\n");
  }

  /** The CLI with every config-reading command given this environment and default path. */
  private CommandLine cli(Map<String, String> env, Path systemDefault) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    TokenCommand token = cli.getSubcommands().get("token").getCommand();
    token.env = env;
    token.systemDefault = systemDefault;
    PluginsCommand plugins = cli.getSubcommands().get("plugins").getCommand();
    plugins.env = env;
    plugins.systemDefault = systemDefault;
    OpenCommand open = cli.getSubcommands().get("open").getCommand();
    open.env = env;
    open.systemDefault = systemDefault;
    return cli;
  }

  @Test
  void tokenSignsWithTheKeyOfTheConfigInTheVariable() throws Exception {
    Path config = config();
    assertEquals(0, cli(Map.of("VNCGATE_CONFIG", config.toString()), dir.resolve("absent.yaml"))
        .execute("token", "--sub", "alice", "--targets", "static/*"), err.toString());
    String jwt = out.toString().strip();
    Vertx vertx = Vertx.vertx();
    try {
      // the gateway's own verifier, with the key from that config, accepts it
      JwtService jwts = new JwtService(vertx, ConfigLoader.load(config).jwt());
      jwts.start().await(20, TimeUnit.SECONDS);
      UserPrincipal who = jwts.verify(jwt).await(20, TimeUnit.SECONDS);
      assertEquals("alice", who.subject());
      assertTrue(who.mayOpen("static/lab1") && !who.mayOpen("docker/x"), who.toString());
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void tokenUsesTheDefaultPathWhenItExists() throws Exception {
    Path config = config();
    assertEquals(0, cli(Map.of(), config).execute("token", "--sub", "bob"), err.toString());
    assertTrue(out.toString().strip().matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+"), out.toString());
  }

  @Test
  void pluginsReadsTheConfigInTheVariable() throws Exception {
    Path config = config();
    assertEquals(0, cli(Map.of("VNCGATE_CONFIG", config.toString()), dir.resolve("absent.yaml")).execute("plugins"), err.toString());
    assertTrue(out.toString().startsWith("vncgate ") && out.toString().contains(": plugins for " + config), out.toString());
    assertTrue(out.toString().matches("(?s).*\\nproviders\\.static +built in\\n.*"), out.toString());
  }

  @Test
  void withoutAnyConfigTokenAndPluginsSayTheThreeWays() {
    Path absent = dir.resolve("etc/vncgate/vncgate.yaml");
    String words = "vncgate: no config file: give --config FILE, set VNCGATE_CONFIG=FILE, or create " + absent
        + " (`vncgate demo` runs a gateway without one)";
    assertEquals(2, cli(Map.of(), absent).execute("token", "--sub", "alice"));
    assertEquals(words + "\n", err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, cli(Map.of(), absent).execute("plugins"));
    assertEquals(words + "\n", err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, cli(Map.of(), absent).execute("open", "static/lab1", "--no-browser"));
    assertEquals(words + "; or give --token JWT\n", err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void aMissingFileInTheVariableIsNamedWithTheVariable() {
    Path missing = dir.resolve("nope.yaml");
    assertEquals(2, cli(Map.of("VNCGATE_CONFIG", missing.toString()), dir.resolve("absent.yaml")).execute("plugins"));
    assertEquals("vncgate: config file " + missing + " (from VNCGATE_CONFIG) does not exist: create it, or set VNCGATE_CONFIG to your config file\n",
        err.toString());
  }
}
