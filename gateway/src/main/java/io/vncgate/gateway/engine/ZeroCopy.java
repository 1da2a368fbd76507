package io.vncgate.gateway.engine;

import java.util.Locale;

/**
 * Whether the relay splices large server payloads to viewers socket to socket ({@code splice(2)},
 * {@link SplicePipe}) instead of reading and writing them: the config key
 * {@code server.zero-copy}.
 *
 * <p>Splicing costs the relay far less CPU than copying, but it is not a win everywhere: under the
 * TCP congestion control {@code bbr} it was slower than reading and writing on loopback, because
 * the server's and viewer's own copies of the spliced bytes cost more there. So by default
 * ({@link #AUTO}) a viewer's socket is spliced into unless it runs {@code bbr}. Figures:
 * docs/performance.md, "What the gateway does about it".
 */
public enum ZeroCopy {
  /** Splice unless the viewer's socket runs {@code bbr}, or its congestion control cannot be read. */
  AUTO,
  /** Splice whenever the sockets allow it (epoll, no TLS, pipes available). */
  ALWAYS,
  /** Never splice: every byte is read and written. */
  NEVER;

  /** The congestion controls under which {@link #AUTO} reads and writes instead. */
  private static final String BBR = "bbr";

  /** The config value: {@code auto}, {@code always} or {@code never}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode for a config value; null when there is none of that name. */
  public static ZeroCopy of(String value) {
    for (ZeroCopy z : values()) {
      if (z.value().equals(value.toLowerCase(Locale.ROOT))) return z;
    }
    return null;
  }

  /**
   * Whether to splice into a socket that runs {@code congestionControl} (null when it could not be
   * read).
   */
  public boolean splicesUnder(String congestionControl) {
    return switch (this) {
      case ALWAYS -> true;
      case NEVER -> false;
      case AUTO -> congestionControl != null && !congestionControl.startsWith(BBR);
    };
  }
}
