package io.vncgate.gateway.front;

import io.vertx.core.MultiMap;
import io.vncgate.gateway.config.AddressRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a request really comes from when a reverse proxy stands in front ({@code server.trusted-proxies}).
 * Only a peer in the trusted ranges is believed: then {@code X-Forwarded-For} (or, without it, the
 * RFC 7239 {@code Forwarded} header's {@code for=}) is read from right to left, skipping the trusted
 * proxies, and the first address that is not one is the client, as nginx's {@code real_ip_recursive}
 * does. A client can put anything at the left of the header; only what trusted proxies appended is
 * read. An entry that is not an IP address ({@code unknown}, an obfuscated name, garbage) ends the
 * walk: the last address read is the client, and a debug line says so. From any other peer the
 * headers change nothing.
 *
 * <p>Vert.x Web's {@code Router.allowForward} is not used: in 5.0 it believes every peer and takes
 * the left-most (client-written) {@code X-Forwarded-For} entry.
 */
final class ForwardedFor {
  private static final Logger log = LoggerFactory.getLogger(ForwardedFor.class);
  /** Entries read from one request's headers at most: a longer chain is cut there. */
  private static final int MAX_HOPS = 32;

  private final List<AddressRange> trusted;

  ForwardedFor(List<AddressRange> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** Whether no proxy is trusted (the headers are never read). */
  boolean off() {
    return trusted.isEmpty();
  }

  /** Whether {@code peer} (an address as {@link HttpGuard#addressOf} gives it) is a trusted proxy. */
  boolean trusts(String peer) {
    if (trusted.isEmpty() || peer == null) return false;
    Optional<byte[]> a = AddressRange.literal(peer);
    return a.isPresent() && trusted(a.get());
  }

  private boolean trusted(byte[] address) {
    for (AddressRange r : trusted) {
      if (r.contains(address)) return true;
    }
    return false;
  }

  /** The client's address: {@code peer} itself unless it is a trusted proxy that says who it forwards. */
  String client(String peer, MultiMap headers) {
    if (!trusts(peer)) return peer;
    List<String> hops = hops(headers);
    String client = peer;
    for (int i = hops.size() - 1; i >= 0 && hops.size() - i <= MAX_HOPS; i--) {
      Optional<byte[]> a = AddressRange.literal(bare(hops.get(i)));
      if (a.isEmpty()) {
        log.debug("forwarded-for entry \"{}\" from proxy {} is not an IP address: the client is taken to be {}",
            printable(hops.get(i)), peer, client);
        return client;
      }
      client = AddressRange.format(a.get());
      if (!trusted(a.get())) return client;
    }
    return client;
  }

  /**
   * The origin the browser used, as a trusted proxy reports it ({@code X-Forwarded-Proto} and
   * {@code X-Forwarded-Host}, else {@code Forwarded}'s {@code proto=} and {@code host=}; a missing
   * host is the request's {@code Host}), e.g. {@code https://vnc.example.com}; empty from an
   * untrusted peer or when no scheme is forwarded.
   */
  Optional<String> origin(String peer, MultiMap headers) {
    if (!trusts(peer)) return Optional.empty();
    String proto = first(headers.get("X-Forwarded-Proto"));
    String host = first(headers.get("X-Forwarded-Host"));
    if (proto == null && host == null) {
      String forwarded = headers.get("Forwarded");
      if (forwarded != null) {
        String element = forwarded.split(",", -1)[0];
        proto = param(element, "proto");
        host = param(element, "host");
      }
    }
    if (proto == null) return Optional.empty();
    proto = proto.toLowerCase(Locale.ROOT);
    if (!proto.equals("http") && !proto.equals("https")) return Optional.empty();
    if (host == null) host = headers.get("Host");
    if (host == null || !host.matches("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+](:[0-9]{1,5})?")) {
      return Optional.empty();
    }
    host = host.toLowerCase(Locale.ROOT);
    if (proto.equals("https") && host.endsWith(":443")) host = host.substring(0, host.length() - 4);
    if (proto.equals("http") && host.endsWith(":80")) host = host.substring(0, host.length() - 3);
    return Optional.of(proto + "://" + host);
  }

  /** Every hop the headers name, left to right: all X-Forwarded-For lines, else all Forwarded for= values. */
  private static List<String> hops(MultiMap headers) {
    List<String> hops = new ArrayList<>();
    List<String> xff = headers.getAll("X-Forwarded-For");
    if (!xff.isEmpty()) {
      for (String line : xff) {
        for (String e : line.split(",", -1)) hops.add(e.strip());
      }
      return hops;
    }
    for (String line : headers.getAll("Forwarded")) {
      for (String element : line.split(",", -1)) {
        String f = param(element, "for");
        hops.add(f == null ? "" : f);
      }
    }
    return hops;
  }

  /** A parameter of one Forwarded element ({@code for=192.0.2.1;proto=https}), unquoted; null when absent. */
  private static String param(String element, String name) {
    for (String pair : element.split(";", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase(name)) {
        String v = pair.substring(eq + 1).strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
        return v;
      }
    }
    return null;
  }

  /** An entry without its port or brackets: {@code [2001:db8::1]:4711} → {@code 2001:db8::1}, {@code 192.0.2.1:80} → {@code 192.0.2.1}. */
  static String bare(String entry) {
    String e = entry.strip();
    if (e.startsWith("[")) {
      int close = e.indexOf(']');
      return close > 0 && (close == e.length() - 1 || e.charAt(close + 1) == ':') ? e.substring(1, close) : e;
    }
    int colon = e.indexOf(':');
    if (colon > 0 && colon == e.lastIndexOf(':')) return e.substring(0, colon); // IPv4 with a port
    return e;
  }

  private static String first(String header) {
    if (header == null) return null;
    String v = header.split(",", -1)[0].strip();
    return v.isEmpty() ? null : v;
  }

  /** At most 64 characters of what a client sent, without control characters, for a log line. */
  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
