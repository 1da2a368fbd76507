package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `serve` and `token` say in words what is wrong (a busy port and its key, a --ttl without unit) and how to get in. */
@Timeout(60)
class ServeAndTokenWordsTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private Path config(String serverYaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "serve-words-test-secret-0123456789-abcdef\n");
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, "server:\n  host: 127.0.0.1\n" + serverYaml
        + "auth:\n  jwt: {secret-file: jwt.key}\nproviders:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: 5901}\n");
    return config;
  }

  private CommandLine cli() {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  @Test
  void aBusyHttpPortIsNamedWithItsKey() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path config = config("  port: " + busy.getLocalPort() + "\n  tcp: {enabled: false}\n");
      assertEquals(2, cli().execute("serve", "--config", config.toString()));
      // the port is held by this JVM: the words name its pid, found through /proc
      assertEquals("vncgate: port " + busy.getLocalPort() + " is in use (by pid " + ProcessHandle.current().pid()
          + ") on 127.0.0.1: choose server.port or stop it\n", err.toString());
      assertFalse(out.toString().contains("listening"), out.toString());
    }
  }

  @Test
  void aBusyTcpFrontPortIsNamedWithItsKey() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path config = config("  port: 0\n  tcp: {port: " + busy.getLocalPort() + "}\n");
      assertEquals(2, cli().execute("serve", "--config", config.toString()));
      assertEquals("vncgate: port " + busy.getLocalPort() + " is in use (by pid " + ProcessHandle.current().pid()
          + ") on 127.0.0.1: choose server.tcp.port or stop it\n", err.toString());
      assertFalse(err.toString().contains("Exception"), err.toString());
    }
  }

  @Test
  void serveSaysHowToGetInOnceItListens() throws Exception {
    Path config = config("  port: 0\n  tcp: {enabled: false}\n");
    Thread run = new Thread(() -> cli().execute("serve", "--config", config.toString()), "serve-under-test");
    run.start();
    for (int i = 0; i < 300 && !out.toString().contains("mint a token"); i++) Thread.sleep(100);
    String printed = out.toString();
    assertTrue(printed.matches("(?s)vncgate is listening on http://127\\.0\\.0\\.1:\\d+/ .*"), printed);
    assertTrue(printed.contains("vncgate open TARGET --config " + config + " --url http://127.0.0.1:"), printed);
    assertTrue(printed.contains("vncgate token --config " + config + " --sub NAME"), printed);
    run.interrupt();
    run.join(20_000);
    assertFalse(run.isAlive(), "serve stops");
  }

  @Test
  void aTtlWithoutAUnitIsRefusedInWords() throws Exception {
    Path config = config("");
    assertEquals(2, cli().execute("token", "--config", config.toString(), "--sub", "alice", "--ttl", "15"));
    assertTrue(err.toString().startsWith("--ttl needs a unit: 15 what? Write 15m for minutes, 15h for hours or 15s for seconds"),
        err.toString());
    assertEquals("", out.toString());
    assertEquals(0, cli().execute("token", "--config", config.toString(), "--sub", "alice", "--ttl", "15m"));
    assertTrue(out.toString().matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\\n"), out.toString());
  }
}
