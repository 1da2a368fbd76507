package io.vncgate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** The gateway's version, from the build. */
public final class Version {
  private static final String VERSION = load();
  private static final String COMMIT = readCommit();

  private Version() {}

  public static String get() {
    return VERSION;
  }

  /** The commit the jar was built from (12 hex digits), or {@code unknown} (a build outside git). */
  public static String commit() {
    return COMMIT;
  }

  private static String readCommit() {
    // written by the build (gateway/pom.xml, generate-resources): `git rev-parse --short=12 HEAD`
    try (InputStream in = Version.class.getResourceAsStream("commit.txt")) {
      if (in == null) return "unknown";
      String c = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
      return c.matches("[0-9a-f]{7,40}") ? c : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) return "dev";
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev").replace("-SNAPSHOT", "");
    } catch (IOException e) {
      return "dev";
    }
  }
}
