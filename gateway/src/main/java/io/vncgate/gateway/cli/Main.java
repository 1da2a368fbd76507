package io.vncgate.gateway.cli;

import io.vncgate.gateway.engine.RelayMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vncgate} — the command line. */
@Command(name = "vncgate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "A web VNC gateway: remote desktops in a browser tab and in native viewers, safely.",
    subcommands = {ServeCommand.class, TokenCommand.class, PluginsCommand.class, DemoCommand.class, OpenCommand.class, CompletionCommand.class,
        StatusCommand.class,
        BridgeCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    RelayMode.beforeNettyLoads();
    int status = run(args);
    LogSetup.flushAtExit(2_000);
    System.exit(status);
  }

  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The command line as {@link #run} executes it: failures become "vncgate: words" and exit code 2. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("vncgate: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return 2;
    });
    return cli;
  }
}
