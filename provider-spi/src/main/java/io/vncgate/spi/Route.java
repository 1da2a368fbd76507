package io.vncgate.spi;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How the gateway reaches a target's VNC server. The gateway owns the transport for each kind. */
public sealed interface Route {

  /** A short description for logs and error messages; never contains secrets. */
  String describe();

  /** A plain TCP connection. */
  record Tcp(String host, int port) implements Route {
    public Tcp {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) throw new IllegalArgumentException("host is blank");
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    @Override
    public String describe() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  /**
   * An SSH {@code direct-tcpip} channel through one or more hops to {@code targetHost:targetPort}
   * as seen from the last hop (usually its loopback VNC port).
   */
  record Ssh(List<SshHop> hops, String targetHost, int targetPort) implements Route {
    public Ssh {
      hops = List.copyOf(Objects.requireNonNull(hops, "hops"));
      if (hops.isEmpty()) throw new IllegalArgumentException("an SSH route needs at least one hop");
      Objects.requireNonNull(targetHost, "targetHost");
      if (targetPort < 1 || targetPort > 65535) {
        throw new IllegalArgumentException("targetPort out of range: " + targetPort);
      }
    }

    @Override
    public String describe() {
      SshHop last = hops.get(hops.size() - 1);
      return "ssh " + last.user() + "@" + last.host() + ":" + last.port() + " -> " + targetHost + ":" + targetPort;
    }
  }

  /** An upstream WebSocket carrying raw RFB (Proxmox vncwebsocket, KubeVirt vnc subresource). */
  record WebSocket(URI uri, Map<String, Secret> headers, List<String> subprotocols, Tls tls) implements Route {
    public WebSocket {
      Objects.requireNonNull(uri, "uri");
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      subprotocols = subprotocols == null ? List.of() : List.copyOf(subprotocols);
      tls = tls == null ? Tls.SYSTEM : tls;
    }

    @Override
    public String describe() {
      // the query may hold a one-shot upstream ticket: never log it
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getPath();
    }
  }

  /** A unix domain socket (e.g. a launched Xvnc's {@code -rfbunixpath}). */
  record UnixSocket(Path path) implements Route {
    public UnixSocket {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String describe() {
      return "unix:" + path;
    }
  }
}
