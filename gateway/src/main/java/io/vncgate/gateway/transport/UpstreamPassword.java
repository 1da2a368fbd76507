package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Route;
import io.vncgate.spi.SshHop;
import io.vncgate.spi.TargetRoute;
import io.vncgate.spi.VncPasswordFile;

/**
 * The VNC password for a target's upstream handshake, from its credentials: given by the
 * provider, read from a file on the SSH host over the connection's own session, or none. Runs on
 * the upstream's context and never blocks.
 */
public final class UpstreamPassword {
  /** The largest password file read on a host. */
  public static final int MAX_FILE_BYTES = 1024;

  private UpstreamPassword() {}

  /**
   * The password bytes, or null when the target needs none; the caller zeroes them after use.
   * Fails with a {@link TransportException} such as "cannot read the VNC password from
   * /home/desk/.vnc/plain on 127.0.0.1:2222: No such file or directory", never holding the password.
   */
  public static Future<byte[]> of(TargetRoute target, Upstream upstream) {
    Credentials credentials = target.credentials();
    if (credentials instanceof Credentials.VncPassword p) return Future.succeededFuture(p.password().bytes());
    if (credentials instanceof Credentials.VncPasswordOnHost onHost) return onHost(target.route(), onHost.path(), upstream);
    // None; UserPassword is for VeNCrypt Plain, which the upstream handshake does not offer
    return Future.succeededFuture(null);
  }

  private static Future<byte[]> onHost(Route route, String path, Upstream upstream) {
    if (!(route instanceof Route.Ssh ssh)) {
      return Future.failedFuture(new TransportException("the VNC password is in a file on the host"
          + " (password-remote-file), which needs an SSH route; this target's route is " + route.describe()));
    }
    String where = "cannot read the VNC password from " + path + " on " + hostPort(ssh.hops().get(ssh.hops().size() - 1));
    return upstream.readRemoteFile(path, MAX_FILE_BYTES).transform(ar -> {
      if (ar.failed()) return Future.failedFuture(new TransportException(where + ": " + ar.cause().getMessage()));
      try {
        // plain text (first line) or the obfuscated file vncpasswd writes, as with a local file
        return Future.succeededFuture(VncPasswordFile.decode(ar.result()).password().bytes());
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new TransportException(where + ": " + e.getMessage()));
      }
    });
  }

  private static String hostPort(SshHop hop) {
    return (hop.host().contains(":") ? "[" + hop.host() + "]" : hop.host()) + ":" + hop.port();
  }
}
