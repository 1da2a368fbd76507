package io.vncgate.gateway.provider;

import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A static target's {@code websocket:} section: an upstream WebSocket route (websockify, QEMU's
 * {@code websocket=}, a Proxmox or KubeVirt console URL with a long-lived token), with header
 * values kept in files and TLS trusted by a CA file or a pinned fingerprint.
 */
final class StaticWebSocketRoute {
  /** The largest header file read: a token, not a document. */
  static final int MAX_HEADER_FILE_BYTES = 16 * 1024;

  private StaticWebSocketRoute() {}

  /** The route without header values; {@code headerFiles} gets each header's file. */
  static Route.WebSocket parse(ProviderConfig ws, Path configDir, Map<String, Path> headerFiles) {
    ws.onlyKeys("url", "subprotocols", "header-files", "ca-file", "fingerprint", "max-frame");
    String url = ws.string("url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ws.invalid("url", "not a URL: " + e.getReason());
    }
    if (!"ws".equalsIgnoreCase(uri.getScheme()) && !"wss".equalsIgnoreCase(uri.getScheme())) {
      throw ws.invalid("url", "use a ws:// or wss:// URL");
    }
    if (uri.getHost() == null) throw ws.invalid("url", "the URL has no host");
    boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
    Tls tls = Tls.SYSTEM;
    if (ws.has("ca-file") && ws.has("fingerprint")) {
      throw ws.invalid("fingerprint", "give either ca-file or fingerprint, not both");
    }
    if ((ws.has("ca-file") || ws.has("fingerprint")) && !secure) {
      throw ws.invalid(ws.has("ca-file") ? "ca-file" : "fingerprint", "only a wss:// URL uses TLS");
    }
    if (ws.has("fingerprint")) {
      try {
        tls = Tls.pinned(ws.string("fingerprint"), ws.key("fingerprint"));
      } catch (IllegalArgumentException e) {
        throw ws.invalid("fingerprint", e.getMessage());
      }
    } else if (ws.has("ca-file")) {
      Path ca = configDir.resolve(ws.string("ca-file"));
      if (!Files.isReadable(ca)) throw ws.invalid("ca-file", "file " + ca + " does not exist or is not readable");
      tls = Tls.caFile(ca, ws.key("fingerprint"));
    } else if (secure) {
      tls = new Tls(null, null, ws.key("fingerprint"));
    }
    ProviderConfig files = ws.section("header-files");
    for (String name : files.keys()) {
      if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) throw files.invalid(name, "not an HTTP header name");
      String lower = name.toLowerCase();
      if (lower.equals("host") || lower.equals("connection") || lower.equals("upgrade") || lower.startsWith("sec-websocket-")) {
        throw files.invalid(name, "the gateway sets this header itself");
      }
      Path file = configDir.resolve(files.string(name));
      if (!Files.isReadable(file)) throw files.invalid(name, "file " + file + " does not exist or is not readable");
      headerFiles.put(name, file);
    }
    int maxFrame = (int) ws.bytes("max-frame", Route.WebSocket.DEFAULT_MAX_FRAME_BYTES, 1024, 16L * 1024 * 1024);
    return new Route.WebSocket(uri, Map.of(), ws.strings("subprotocols"), tls, maxFrame);
  }

  /** The route with its header values read from their files now (first line, without the line end). */
  static Route.WebSocket withHeaders(Route.WebSocket route, Map<String, Path> headerFiles) throws IOException {
    Map<String, Secret> headers = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : headerFiles.entrySet()) {
      byte[] bytes;
      try {
        if (Files.size(e.getValue()) > MAX_HEADER_FILE_BYTES) {
          throw new IllegalArgumentException("file " + e.getValue() + " (header " + e.getKey() + ") is larger than "
              + MAX_HEADER_FILE_BYTES + " bytes");
        }
        bytes = Files.readAllBytes(e.getValue());
      } catch (IOException ex) {
        throw new IllegalArgumentException("file " + e.getValue() + " (header " + e.getKey() + ") cannot be read: "
            + StaticProvider.words(ex));
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      Arrays.fill(bytes, (byte) 0);
      int end = text.indexOf('\n');
      String value = (end < 0 ? text : text.substring(0, end)).strip();
      if (value.isEmpty()) {
        throw new IllegalArgumentException("file " + e.getValue() + " (header " + e.getKey() + ") is empty");
      }
      headers.put(e.getKey(), Secret.of(value));
    }
    return new Route.WebSocket(route.uri(), headers, route.subprotocols(), route.tls(), route.maxFrameBytes(),
        route.refusals());
  }
}
