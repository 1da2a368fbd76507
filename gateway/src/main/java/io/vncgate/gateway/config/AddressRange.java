package io.vncgate.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IP address or CIDR range ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code fd00::/8}, {@code ::1}),
 * as {@code server.trusted-proxies} lists them. Only literals are read: a host name is refused, never
 * looked up. An IPv4 range matches IPv4 addresses (and IPv4-mapped IPv6 ones, which Java reads as
 * IPv4); an IPv6 range matches IPv6 addresses.
 */
public final class AddressRange {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private AddressRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Reads {@code "a.b.c.d"}, {@code "a.b.c.d/n"}, an IPv6 literal or {@code "v6/n"}.
   *
   * @throws IllegalArgumentException with words on what is wrong
   */
  public static AddressRange parse(String value) {
    String s = value == null ? "" : value.strip();
    int slash = s.indexOf('/');
    String addressPart = slash < 0 ? s : s.substring(0, slash);
    byte[] address = literal(addressPart).orElseThrow(() -> new IllegalArgumentException(
        "expected an IP address or a CIDR range like 10.0.0.0/8 or fd00::/8 (no host names), got \"" + value + "\""));
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("the prefix length of \"" + value + "\" must be 0 to " + bits);
      }
      prefix = Integer.parseInt(p);
    }
    byte[] network = address.clone();
    for (int i = 0; i < network.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      network[i] &= (byte) (0xff << (8 - keep));
    }
    return new AddressRange(network, prefix, s);
  }

  /** Whether {@code address} (a literal, as {@link #literal} reads it) lies in this range. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) return false;
    for (int i = 0; i < network.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      int mask = (0xff << (8 - keep)) & 0xff;
      if ((address[i] & mask) != (network[i] & mask)) return false;
    }
    return true;
  }

  /**
   * The bytes of an IP literal (4 for IPv4, IPv4-mapped IPv6 included; 16 for IPv6), or empty when
   * {@code s} is not one. Never a DNS lookup: IPv4 is read here, and only strings made of hex digits,
   * ':' and '.' with at least one ':' go to {@link InetAddress}, which reads those as literals.
   */
  public static Optional<byte[]> literal(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) return Optional.empty();
    if (s.indexOf(':') < 0) return ipv4(s);
    if (!s.matches("[0-9A-Fa-f:.]+")) return Optional.empty();
    try {
      return Optional.of(InetAddress.getByName(s).getAddress());
    } catch (UnknownHostException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The canonical text of a literal's bytes (as Java prints addresses), for comparing and counting. */
  public static String format(byte[] address) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + address.length + " bytes");
    }
  }

  private static Optional<byte[]> ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) return Optional.empty();
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (!p.matches("0|[1-9][0-9]{0,2}")) return Optional.empty();
      int v = Integer.parseInt(p);
      if (v > 255) return Optional.empty();
      b[i] = (byte) v;
    }
    return Optional.of(b);
  }

  @Override
  public String toString() {
    return text;
  }
}
