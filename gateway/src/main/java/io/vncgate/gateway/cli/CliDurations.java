package io.vncgate.gateway.cli;

import io.vncgate.spi.ProviderConfig;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Durations typed on the command line. Unlike config files, a bare number is refused: {@code
 * --ttl 15} could mean 15 seconds or 15 minutes, and a token that dies after 15 s is a puzzle.
 */
final class CliDurations {
  private CliDurations() {}

  /** A positive duration with its unit (500ms, 30s, 15m, 8h, 2d); else a ParameterException in words. */
  static Duration parse(CommandSpec spec, String option, String text) {
    String t = text.strip();
    if (t.matches("\\d+")) {
      throw new ParameterException(spec.commandLine(), option + " needs a unit: " + t + " what? Write " + t + "m for minutes, "
          + t + "h for hours or " + t + "s for seconds");
    }
    return ProviderConfig.parseDuration(t).filter(d -> !d.isZero())
        .orElseThrow(() -> new ParameterException(spec.commandLine(), option + " must be a duration like 15m, 8h or 30s, got '"
            + text + "'"));
  }
}
