package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a user sees of the gateway before any viewer: seconds from {@code java -jar} to the first
 * 200 of {@code /healthz}, its resident set at rest (two seconds after that, no viewer yet), the
 * size of the jar and of each provider plugin zip built in this checkout (providers/NAME/target/*.zip).
 */
record GatewayFacts(double startupS, long rssAtRestBytes, long jarBytes, Map<String, Long> pluginZipBytes) {
  static final long REST_MS = 2000;

  static GatewayFacts measure(GatewayProcess gateway, Path jar) throws IOException {
    RelayProcess.sleep(REST_MS);
    long rss = Proc.rssBytes(gateway.pid());
    return new GatewayFacts(gateway.startupS, rss, Files.size(jar), pluginZips(jar));
  }

  /** providers/NAME/target/*.zip of the checkout the jar was built in (gateway/target/vncgate.jar). */
  static Map<String, Long> pluginZips(Path jar) throws IOException {
    Map<String, Long> zips = new TreeMap<>();
    Path root = jar.toAbsolutePath().getParent();
    for (int i = 0; i < 2 && root != null; i++) root = root.getParent();
    if (root == null) return zips;
    Path providers = root.resolve("providers");
    if (!Files.isDirectory(providers)) return zips;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(providers, Files::isDirectory)) {
      for (Path d : dirs) {
        Path target = d.resolve("target");
        if (!Files.isDirectory(target)) continue;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(target, "*.zip")) {
          for (Path z : files) zips.put(z.getFileName().toString(), Files.size(z));
        }
      }
    }
    return zips;
  }

  JsonObject toJson() {
    JsonObject plugins = new JsonObject();
    pluginZipBytes.forEach(plugins::put);
    return new JsonObject().put("startup_to_healthz_s", Double.isNaN(startupS) ? null : PathResult.round(startupS, 3))
        .put("rss_at_rest_bytes", rssAtRestBytes).put("jar_bytes", jarBytes).put("plugin_zip_bytes", plugins);
  }

  String line() {
    return String.format(Locale.ROOT, "start-up to /healthz %.2f s, RSS at rest %.1f MiB, jar %.1f MiB, %d plugin zips%s",
        startupS, rssAtRestBytes / 1048576.0, jarBytes / 1048576.0, pluginZipBytes.size(),
        pluginZipBytes.isEmpty() ? " (none built: mvn package builds providers/*/target/*.zip)" : " of "
            + String.join(", ", pluginZipBytes.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%.1f MiB", e.getValue() / 1048576.0)).toList()));
  }
}
