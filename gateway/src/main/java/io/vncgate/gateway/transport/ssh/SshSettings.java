package io.vncgate.gateway.transport.ssh;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the SSH route.
 *
 * @param connectTimeout TCP connect to the SSH server, opening a forwarding channel, and reading a
 *     VNC password file on the host ({@code cat} over an exec channel)
 * @param authTimeout key exchange, host-key check and key authentication after the TCP connect
 * @param keepaliveInterval how often an idle session sends a keep-alive; after 3 unanswered ones
 *     the session counts as dropped. Zero turns keep-alives off.
 * @param idleSessionClose how long a pooled session with no channel stays open for reuse
 */
public record SshSettings(Duration connectTimeout, Duration authTimeout, Duration keepaliveInterval,
    Duration idleSessionClose) {

  public static final SshSettings DEFAULTS =
      new SshSettings(Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(60));

  /** Keep-alives left unanswered before a session is declared dead. */
  public static final int KEEPALIVE_MAX_UNANSWERED = 3;

  public SshSettings {
    positive(connectTimeout, "connectTimeout");
    positive(authTimeout, "authTimeout");
    notNegative(keepaliveInterval, "keepaliveInterval");
    notNegative(idleSessionClose, "idleSessionClose");
  }

  public SshSettings withConnectTimeout(Duration timeout) {
    return new SshSettings(timeout, authTimeout, keepaliveInterval, idleSessionClose);
  }

  public SshSettings withIdleSessionClose(Duration idle) {
    return new SshSettings(connectTimeout, authTimeout, keepaliveInterval, idle);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(name + " must be positive: " + d);
  }

  private static void notNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + d);
  }
}
