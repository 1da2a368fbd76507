package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `serve` without --config: VNCGATE_CONFIG, then the default path, else words on what to do. */
@Timeout(60)
class ServeConfigPathTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private Path config(String name) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "serve-config-path-test-secret-0123456789\n");
    Path config = dir.resolve(name);
    Files.writeString(config, "server: {host: 127.0.0.1, port: 0, tcp: {enabled: false}}\n"
        + "auth:\n  jwt: {secret-file: jwt.key}\nproviders:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: 5901}\n");
    return config;
  }

  private CommandLine cli(Map<String, String> env, Path systemDefault) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
    serve.env = env;
    serve.systemDefault = systemDefault;
    return cli;
  }

  /** Runs serve until it prints how to get in, then stops it; returns what it printed. */
  private String serveUntilListening(CommandLine cli, String... args) throws Exception {
    String[] argv = new String[args.length + 1];
    argv[0] = "serve";
    System.arraycopy(args, 0, argv, 1, args.length);
    Thread run = new Thread(() -> cli.execute(argv), "serve-under-test");
    run.start();
    for (int i = 0; i < 300 && !out.toString().contains("mint a token") && run.isAlive(); i++) Thread.sleep(100);
    run.interrupt();
    run.join(20_000);
    assertFalse(run.isAlive(), "serve stops");
    return out.toString();
  }

  @Test
  void withoutAnyConfigServeSaysTheThreeWays() {
    Path absent = dir.resolve("etc/vncgate/vncgate.yaml");
    assertEquals(2, cli(Map.of(), absent).execute("serve"));
    assertEquals("vncgate: no config file: give --config FILE, set VNCGATE_CONFIG=FILE, or create " + absent
        + " (`vncgate demo` runs a gateway without one)\n", err.toString());
  }

  @Test
  void aMissingFileInTheVariableIsNamedWithTheVariable() {
    Path missing = dir.resolve("nope.yaml");
    assertEquals(2, cli(Map.of("VNCGATE_CONFIG", missing.toString()), dir.resolve("absent.yaml")).execute("serve"));
    assertEquals("vncgate: config file " + missing + " (from VNCGATE_CONFIG) does not exist: create it, or set VNCGATE_CONFIG to your config file\n",
        err.toString());
  }

  @Test
  void theVariableNamesTheConfig() throws Exception {
    Path config = config("from-env.yaml");
    String printed = serveUntilListening(cli(Map.of("VNCGATE_CONFIG", config.toString()), dir.resolve("absent.yaml")));
    assertTrue(printed.startsWith("vncgate is listening on http://127.0.0.1:"), printed + err);
    assertTrue(printed.contains("--config " + config + " "), printed);
  }

  @Test
  void theDefaultPathIsUsedWhenItExists() throws Exception {
    Path config = config("vncgate.yaml");
    String printed = serveUntilListening(cli(Map.of(), config));
    assertTrue(printed.startsWith("vncgate is listening on http://127.0.0.1:"), printed + err);
    assertTrue(printed.contains("--config " + config + " "), printed);
  }

  @Test
  void givenConfigWinsOverTheVariable() throws Exception {
    Path config = config("given.yaml");
    String printed = serveUntilListening(cli(Map.of("VNCGATE_CONFIG", dir.resolve("nope.yaml").toString()), dir.resolve("absent.yaml")),
        "--config", config.toString());
    assertTrue(printed.contains("--config " + config + " "), printed + err);
  }
}
