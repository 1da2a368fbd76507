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

  /**
   * An upstream WebSocket carrying raw RFB in binary frames (Proxmox {@code vncwebsocket}, KubeVirt's
   * {@code vnc} subresource, websockify, QEMU's own {@code websocket=}).
   *
   * @param uri {@code ws://} or {@code wss://}; its query may hold a one-shot ticket and is never logged
   * @param headers sent with the upgrade request (e.g. {@code Authorization}); values are secrets,
   *     never logged
   * @param subprotocols offered in {@code Sec-WebSocket-Protocol}, in order; the server must choose
   *     one of them when any is given (Proxmox: {@code binary}, KubeVirt: {@code plain.kubevirt.io})
   * @param tls how the server's certificate is trusted ({@code wss} only); never trust-all
   * @param maxFrameBytes the largest frame the gateway sends: the viewer's bytes are split into
   *     binary frames of at most this size, each a whole message (Proxmox refuses frames over
   *     128 KiB); 0 means {@link #DEFAULT_MAX_FRAME_BYTES}
   * @param refusals what a refused or unanswered upgrade means for this route, in the provider's
   *     words: by the HTTP status of the answer, or {@link #NO_ANSWER}. A status not in it is told
   *     in the gateway's words (401 and 403 then count as settings only the operator can fix)
   */
  record WebSocket(URI uri, Map<String, Secret> headers, List<String> subprotocols, Tls tls, int maxFrameBytes,
                   Map<Integer, Refusal> refusals)
      implements Route {
    /** 128 KiB: the most Proxmox VE accepts per frame; small enough for any server. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 128 * 1024;
    /**
     * The key in {@link #refusals} for an upgrade the server took but never answered: it closed the
     * connection, or said nothing within the connect timeout.
     */
    public static final int NO_ANSWER = 0;

    /**
     * What one refusal of the upgrade means.
     *
     * @param words for the viewer and the log; no secrets (e.g. "Proxmox refused the console ticket
     *     for VM 100 on node pve1: …")
     * @param remedy what helps
     */
    public record Refusal(String words, Remedy remedy) {
      public Refusal {
        Objects.requireNonNull(words, "words");
        Objects.requireNonNull(remedy, "remedy");
        if (words.isBlank()) throw new IllegalArgumentException("words are blank");
      }
    }

    /** What helps after a refusal. */
    public enum Remedy {
      /**
       * The route held a one-shot credential that was no longer good (an expired or used console
       * ticket): the gateway resolves the target again and tries once more with the new route; if
       * that is refused too, the viewer gets the words and may try again later.
       */
      RESOLVE_AGAIN,
      /**
       * The route's standing credentials or permissions are wrong: only the operator can fix it, so
       * the failure is final and not retried (like a certificate that is not the pinned one).
       */
      OPERATOR
    }

    public WebSocket {
      Objects.requireNonNull(uri, "uri");
      if (!"ws".equalsIgnoreCase(uri.getScheme()) && !"wss".equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException("a WebSocket route needs a ws:// or wss:// URI, got scheme " + uri.getScheme());
      }
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        throw new IllegalArgumentException("the WebSocket URI has no host");
      }
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      subprotocols = subprotocols == null ? List.of() : List.copyOf(subprotocols);
      tls = tls == null ? Tls.SYSTEM : tls;
      if (maxFrameBytes == 0) maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
      if (maxFrameBytes < 1) throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
      refusals = refusals == null ? Map.of() : Map.copyOf(refusals);
      for (Integer status : refusals.keySet()) {
        if (status != NO_ANSWER && (status < 300 || status > 599)) {
          throw new IllegalArgumentException("a refusal is keyed by an HTTP status 300..599 or NO_ANSWER, got " + status);
        }
      }
    }

    /** With the gateway's own words for every refusal. */
    public WebSocket(URI uri, Map<String, Secret> headers, List<String> subprotocols, Tls tls, int maxFrameBytes) {
      this(uri, headers, subprotocols, tls, maxFrameBytes, Map.of());
    }

    /** With frames of at most {@link #DEFAULT_MAX_FRAME_BYTES}. */
    public WebSocket(URI uri, Map<String, Secret> headers, List<String> subprotocols, Tls tls) {
      this(uri, headers, subprotocols, tls, 0);
    }

    /** Whether the connection is TLS ({@code wss}). */
    public boolean secure() {
      return "wss".equalsIgnoreCase(uri.getScheme());
    }

    @Override
    public String describe() {
      // the query may hold a one-shot upstream ticket: never log it
      String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
      return uri.getScheme() + "://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getRawPath();
    }

    /** Without the URL's query or the header values, so that a route printed by mistake leaks nothing. */
    @Override
    public String toString() {
      return "WebSocket[" + describe() + ", headers=" + headers.keySet() + ", subprotocols=" + subprotocols
          + ", tls=" + tls + ", maxFrameBytes=" + maxFrameBytes + ", refusals=" + refusals.keySet() + "]";
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
