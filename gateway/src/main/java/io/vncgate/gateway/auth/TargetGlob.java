package io.vncgate.gateway.auth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A target-id glob from a token: {@code *} matches within one path segment, {@code **} across
 * segments, everything else literally. {@code static/*} matches {@code static/lab1} but not
 * {@code ssh/hetzner/web1}; {@code ssh/**} matches both {@code ssh/box1} and
 * {@code ssh/hetzner/web1}; {@code **} matches every target.
 */
public final class TargetGlob {
  private final String glob;
  private final Pattern pattern;

  private TargetGlob(String glob) {
    this.glob = glob;
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append("[^/]*");
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    this.pattern = Pattern.compile(re.toString());
  }

  public static TargetGlob of(String glob) {
    return new TargetGlob(glob);
  }

  public boolean matches(String targetId) {
    return pattern.matcher(targetId).matches();
  }

  public static boolean anyMatches(List<TargetGlob> globs, String targetId) {
    for (TargetGlob g : globs) {
      if (g.matches(targetId)) return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return glob;
  }
}
