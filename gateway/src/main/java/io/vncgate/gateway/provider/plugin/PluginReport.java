package io.vncgate.gateway.provider.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * What became of one plugin zip.
 *
 * @param source the zip it came from
 * @param id {@code plugin.id}, or null when the descriptor could not be read
 * @param version {@code plugin.version}, or null
 * @param outcome what happened
 * @param reason why it did not start, or a problem with one of its providers; null when all went well
 * @param providers the names of the providers it offers (only when started)
 */
public record PluginReport(Path source, String id, String version, Outcome outcome, String reason,
    List<String> providers) {

  /** What became of a plugin. */
  public enum Outcome {
    /** Loaded and started; its providers can be named in the config. */
    STARTED("started"),
    /** Its {@code plugin.requires} does not accept this gateway's version. */
    INCOMPATIBLE("incompatible"),
    /** Not a readable zip, or no valid {@code plugin.properties}. */
    BROKEN("broken"),
    /** Its classes could not be loaded, or its plugin class failed to start. */
    FAILED("failed"),
    /** Another zip with the same plugin id was loaded first. */
    SKIPPED("skipped");

    private final String words;

    Outcome(String words) {
      this.words = words;
    }

    @Override
    public String toString() {
      return words;
    }
  }

  public PluginReport {
    providers = providers == null ? List.of() : List.copyOf(providers);
  }

  public boolean started() {
    return outcome == Outcome.STARTED;
  }

  /** {@code id (from /path/x.zip)}, or just the path when the id is unknown. */
  public String label() {
    return id == null ? source.toString() : id + " (from " + source + ")";
  }
}
