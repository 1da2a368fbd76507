package io.vncgate.providers.desktop;

import io.vncgate.spi.ProviderConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code providers.desktop}, read and checked at start; every error names its key.
 *
 * @param stateDir where the desktops' homes, sockets and logs live (made 0700)
 * @param xvnc the Xvnc program (a name on PATH or a path)
 * @param look geometry, depth and session of a user's own desktop (named ones may differ)
 * @param idleStop how long a desktop runs with no viewer before it is stopped; zero = never
 * @param maxDesktops how many desktops may run (or start) at once on this gateway
 * @param startTimeout how long Xvnc has to open its socket
 * @param perUser whether each user has {@code desktop/<their token's sub>}
 * @param admins token subjects that may open any user's desktop
 * @param firstDisplay the X display numbers tried start here
 * @param desktops the named desktops, {@code desktop/<id>}
 */
record DesktopSettings(Path stateDir, String xvnc, Look look, Duration idleStop, int maxDesktops,
    Duration startTimeout, boolean perUser, Set<String> admins, int firstDisplay, List<Named> desktops) {

  static final String[] KEYS = {"state-dir", "xvnc", "geometry", "depth", "session", "idle-stop", "max-desktops",
      "start-timeout", "per-user", "admins", "first-display", "desktops"};
  private static final Pattern GEOMETRY = Pattern.compile("(\\d{2,5})x(\\d{2,5})");
  private static final Pattern NAMED_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  /** A unix socket path holds at most 107 bytes; the socket is {@code <state-dir>/run/x<display>.sock}. */
  static final int MAX_SOCKET_PATH = 107;

  /** How one desktop looks: its screen and what runs in it. */
  record Look(int width, int height, int depth, List<String> session) {
    String geometry() {
      return width + "x" + height;
    }
  }

  /** A desktop named in config; {@code users} empty = whoever's token grants {@code desktop/<id>}. */
  record Named(String id, String name, Set<String> users, Look look) {}

  static DesktopSettings read(ProviderConfig c, Path configDir) {
    c.onlyKeys(KEYS);
    Path stateDir = configDir.resolve(c.string("state-dir", "desktops")).toAbsolutePath().normalize();
    int socketPath = stateDir.toString().length() + "/run/x12345.sock".length();
    if (socketPath > MAX_SOCKET_PATH) {
      throw c.invalid("state-dir", stateDir + " is too long for the desktops' unix sockets (" + socketPath
          + " of at most " + MAX_SOCKET_PATH + " characters with run/x<display>.sock): choose a shorter folder");
    }
    String xvnc = c.string("xvnc", "Xvnc");
    if (onPath(xvnc).isEmpty()) {
      throw c.invalid("xvnc", "\"" + xvnc + "\" is not an executable program here: install TigerVNC's Xvnc"
          + " (Debian: tigervnc-standalone-server) or give its path");
    }
    Look look = look(c, null);
    Duration idleStop = c.duration("idle-stop", Duration.ofMinutes(15));
    int max = c.integer("max-desktops", 8, 1, 1000);
    Duration startTimeout = c.duration("start-timeout", Duration.ofSeconds(10));
    if (startTimeout.isZero()) throw c.invalid("start-timeout", "must be longer than 0");
    // the gateway gives a resolve server.provider-timeout (15 s by default): a longer wait ends there first
    boolean perUser = c.bool("per-user", true);
    Set<String> admins = Set.copyOf(c.strings("admins"));
    int firstDisplay = c.integer("first-display", 200, 1, 30000);
    List<Named> named = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ProviderConfig d : c.sections("desktops")) {
      d.onlyKeys("id", "name", "users", "geometry", "depth", "session");
      String id = d.string("id");
      if (!NAMED_ID.matcher(id).matches()) {
        throw d.invalid("id", "\"" + id + "\" is not a desktop id: lower-case letters, digits, '.', '_' and '-', at most 63");
      }
      if (!ids.add(id)) throw d.invalid("id", "\"" + id + "\" names two desktops");
      named.add(new Named(id, d.string("name", id), Set.copyOf(d.strings("users")), look(d, look)));
    }
    if (!perUser && named.isEmpty()) {
      throw c.invalid("per-user", "false and no desktops: listed: this provider would offer nothing");
    }
    return new DesktopSettings(stateDir, xvnc, look, idleStop, max, startTimeout, perUser, admins, firstDisplay,
        List.copyOf(named));
  }

  /** geometry, depth and session of {@code c}, each defaulting to {@code base}'s (or the built-in ones). */
  private static Look look(ProviderConfig c, Look base) {
    int width = base == null ? 1280 : base.width();
    int height = base == null ? 800 : base.height();
    if (c.has("geometry")) {
      String g = c.string("geometry");
      Matcher m = GEOMETRY.matcher(g.trim());
      if (!m.matches()) throw c.invalid("geometry", "expected WIDTHxHEIGHT such as 1280x800, got \"" + g + "\"");
      width = Integer.parseInt(m.group(1));
      height = Integer.parseInt(m.group(2));
      if (width < 64 || height < 64 || width > 8192 || height > 8192) {
        throw c.invalid("geometry", "each side from 64 to 8192 pixels, got \"" + g + "\"");
      }
    }
    int depth = base == null ? 24 : base.depth();
    if (c.has("depth")) {
      depth = c.integer("depth", depth, 8, 32);
      if (depth != 16 && depth != 24 && depth != 32) throw c.invalid("depth", "expected 16, 24 or 32, got " + depth);
    }
    List<String> session;
    if (c.has("session")) {
      session = c.asMap().get("session") instanceof String s ? List.of("sh", "-c", s) : c.strings("session");
      if (session.isEmpty()) throw c.invalid("session", "must name a program, e.g. [startxfce4]");
      if (!session.get(0).equals("sh") && onPath(session.get(0)).isEmpty()) {
        throw c.invalid("session", "\"" + session.get(0) + "\" is not an executable program here");
      }
    } else if (base != null) {
      session = base.session();
    } else {
      session = defaultSession().orElseThrow(() -> c.invalid("session", "not set, and xterm (the default session)"
          + " is not installed: install xterm (and openbox), or set a session such as [startxfce4]"));
    }
    return new Look(width, height, depth, List.copyOf(session));
  }

  /**
   * openbox starting an xterm when both are installed (the session ends when openbox does; openbox
   * focuses the xterm it starts, where one started beside it would keep the focus on the root), an
   * xterm alone when only it is.
   */
  static Optional<List<String>> defaultSession() {
    if (onPath("xterm").isEmpty()) return Optional.empty();
    if (onPath("openbox").isPresent()) return Optional.of(List.of("openbox", "--startup", "xterm"));
    return Optional.of(List.of("xterm"));
  }

  /** The executable {@code program} names: itself when it has a slash, else the first on PATH. */
  static Optional<Path> onPath(String program) {
    if (program.contains("/")) {
      Path p = Path.of(program);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) return Optional.empty();
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

}
