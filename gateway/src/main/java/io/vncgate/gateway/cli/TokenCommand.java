package io.vncgate.gateway.cli;

import io.vertx.core.Vertx;
import io.vncgate.gateway.auth.JwtService;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vncgate token [--config FILE] --sub NAME [--targets GLOB…] [--role control|view] [--ttl 15m]}. */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Print a JWT signed with the configured key, for someone to open desktops with.")
final class TokenCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = {"The gateway's YAML config file (its signing key).",
      "Default: the file named by $VNCGATE_CONFIG, else /etc/vncgate/vncgate.yaml if it exists."})
  Path config;

  /** Where the default config file lives, and the environment; tests point them elsewhere. */
  Path systemDefault = ConfigPath.SYSTEM_DEFAULT;
  Map<String, String> env = System.getenv();

  @Option(names = "--sub", required = true, paramLabel = "NAME", description = "The user the token is for (the JWT subject).")
  String subject;

  @Option(names = "--targets", paramLabel = "GLOB", split = ",", description = "The target-id globs the token grants, e.g. 'static/*' (default: '**', every target).")
  List<String> targets;

  @Option(names = "--role", paramLabel = "ROLE", defaultValue = "control", description = "The role: control or view (default: ${DEFAULT-VALUE}).")
  String role;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "15m", description = "How long the token is valid, e.g. 15m or 8h (default: ${DEFAULT-VALUE}).")
  String ttl;

  @Override
  public Integer call() {
    Role r = Role.parse(role).orElseThrow(() -> new ParameterException(spec.commandLine(), "--role must be control or view, got '" + role + "'"));
    Duration d = CliDurations.parse(spec, "--ttl", ttl);
    GatewayConfig cfg = ConfigLoader.load(ConfigPath.require(config, env, systemDefault));
    Vertx vertx = Vertx.vertx();
    try {
      String token = new JwtService(vertx, cfg.jwt()).mint(subject, targets == null || targets.isEmpty() ? List.of("**") : targets, r, d);
      spec.commandLine().getOut().println(token);
    } finally {
      vertx.close();
    }
    return 0;
  }
}
