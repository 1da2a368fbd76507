package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the noise verdict ({@link Noise}) means for a run's files, the same for every scenario: the
 * options {@code --noise-limit SHARE} and {@code --publish}, and where the JSON and the plots go. A
 * run asked to publish (the launcher's full run, into docs/performance/) that was noisy is written
 * under WORK/unpublished instead, says why, and ends with exit status 3 ({@link NoisyRunException}).
 */
final class Publication {
  private Publication() {}

  /** A run asked to publish that was noisy: everything is written (unpublished), the exit status is 3. */
  static final class NoisyRunException extends RuntimeException {
    NoisyRunException() {
      super("the run was noisy and is not published");
    }
  }

  /** The value of {@code --noise-limit}: a share of the CPUs above 0 and below 1. */
  static double noiseLimit(String v) {
    String words = "--noise-limit takes a share of the CPUs between 0 and 1, e.g. 0.1, not " + v;
    double limit;
    try {
      limit = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(words);
    }
    if (!(limit > 0 && limit < 1)) throw new IllegalArgumentException(words);
    return limit;
  }

  /** Where one run's JSON and plots (with its Markdown summary) go; {@code refused}: a noisy run asked to publish. */
  record Places(Path json, Path plots, boolean refused) {
    /** Writes the run's JSON where it goes and says where; the folders of the JSON and of the plots are made. */
    void writeJson(JsonObject result, PrintLog out) throws IOException {
      Files.createDirectories(json.toAbsolutePath().getParent());
      Files.writeString(json, result.encodePrettily() + "\n");
      Files.createDirectories(plots);
      out.line("JSON: %s", json.toAbsolutePath());
    }

    /** After everything is written: a refused publication ends the run (exit status 3). */
    void finish() {
      if (refused) throw new NoisyRunException();
    }
  }

  /**
   * The places asked for, or for a noisy run asked to publish {@code WORK/unpublished/} (the JSON,
   * by its name) and {@code WORK/unpublished/plots/}, with a line that says why.
   */
  static Places places(boolean publish, Noise.Result noise, Path work, Path json, Path plots, PrintLog out) {
    if (!publish || !noise.noisy()) return new Places(json, plots, false);
    // figures of a noisy run are kept, marked so, but never replace the published ones
    Path unpublished = work.resolve("unpublished");
    out.line("NOT PUBLISHED: the run was noisy (%s); its JSON and plots are in %s. Run again on a quiet machine.",
        String.join("; ", noise.reasons()), unpublished.toAbsolutePath());
    return new Places(unpublished.resolve(json.getFileName()), unpublished.resolve("plots"), true);
  }

  /** The top of a Markdown summary: a warning when the run was noisy, else nothing. */
  static String summaryHead(Noise.Result noise) {
    return noise != null && noise.noisy() ? "**NOISY RUN** (not figures to publish): " + String.join("; ", noise.reasons())
        + ".\n\n" : "";
  }

  /** The top of a console table: the noise line. */
  static String tableHead(Noise.Result noise) {
    return noise == null ? "" : String.format("%s%n%n", noise.line());
  }
}
