package io.vncgate.gateway.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Which config file {@code serve}, {@code token}, {@code plugins} and {@code open} read when
 * {@code --config} is not given: the file named by
 * {@code VNCGATE_CONFIG}, else {@code /etc/vncgate/vncgate.yaml} when it exists (the path the
 * systemd unit, the container image and the release tarball use). There is no built-in config to
 * fall back to: a gateway needs at least a signing key, so without a file {@code serve} says what to
 * do ({@code vncgate demo} runs without one).
 */
final class ConfigPath {
  static final String ENV = "VNCGATE_CONFIG";
  static final Path SYSTEM_DEFAULT = Path.of("/etc/vncgate/vncgate.yaml");

  private ConfigPath() {}

  /** The file to read, or empty when none is given, named or at the default path. */
  static Optional<Path> choose(Path given, Map<String, String> env, Path systemDefault) {
    if (given != null) return Optional.of(given);
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path file = Path.of(fromEnv.strip());
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file " + file.toAbsolutePath().normalize()
            + " (from " + ENV + ") does not exist: create it, or set " + ENV + " to your config file");
      }
      return Optional.of(file);
    }
    if (Files.isRegularFile(systemDefault)) return Optional.of(systemDefault);
    return Optional.empty();
  }

  /** The file to read; when there is none, an IllegalArgumentException with {@link #noneFound}'s words (exit status 2). */
  static Path require(Path given, Map<String, String> env, Path systemDefault) {
    return choose(given, env, systemDefault).orElseThrow(() -> new IllegalArgumentException(noneFound(systemDefault)));
  }

  /** Words for when no config is found at all. */
  static String noneFound(Path systemDefault) {
    return "no config file: give --config FILE, set " + ENV + "=FILE, or create " + systemDefault
        + " (`vncgate demo` runs a gateway without one)";
  }
}
