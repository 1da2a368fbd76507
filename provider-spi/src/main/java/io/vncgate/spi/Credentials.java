package io.vncgate.spi;

import java.util.Objects;

/** What the gateway authenticates with upstream. Never shown to a user. */
public sealed interface Credentials {

  /** The target offers security type None (or needs nothing from us). */
  record None() implements Credentials {}

  /** Classic VNC authentication. Only the first 8 bytes count (every server truncates). */
  record VncPassword(Secret password) implements Credentials {
    public VncPassword {
      Objects.requireNonNull(password, "password");
    }
  }

  /**
   * Classic VNC authentication with a password kept on the target's host: the first line of the
   * file at {@code path} on the route's last SSH hop, without its line ending. The gateway reads
   * it over that hop's SSH session just before each connection's VNC handshake, so the provider
   * never holds the password and it may change on the host at any time. Only for
   * {@link Route.Ssh} routes; on any other route the connection fails in words.
   *
   * @param path an absolute path on the host, e.g. {@code /home/desk/.vnc/plain}; no NUL, CR or LF
   */
  record VncPasswordOnHost(String path) implements Credentials {
    public VncPasswordOnHost {
      Objects.requireNonNull(path, "path");
      if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("a path on the host must not contain NUL, CR or LF");
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("a path on the host must be absolute: \"" + path + "\"");
      }
    }
  }

  /** User and password (VeNCrypt Plain and similar). */
  record UserPassword(String user, Secret password) implements Credentials {
    public UserPassword {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }
  }
}
