package io.vncgate.spi;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How to trust an upstream TLS server. There is no trust-all: a self-signed server is trusted by
 * pinning its certificate's SHA-256 fingerprint or by a CA file.
 *
 * <ul>
 *   <li>neither set ({@link #SYSTEM}): the JDK's CA certificates, and the host name in the URL must
 *       be one the certificate names;
 *   <li>{@code caFile}: a PEM bundle trusted instead of the JDK's, and the host name is checked;
 *   <li>{@code pinnedSha256}: exactly the server certificate with that SHA-256 fingerprint is
 *       trusted, whoever signed it and whatever names it holds (the pin is the check: Proxmox's
 *       self-signed certificates name the node, not the address the gateway uses).
 * </ul>
 *
 * @param caFile PEM bundle to trust instead of the system's, or null
 * @param pinnedSha256 SHA-256 fingerprint of the server certificate, or null; given as 64 hex
 *     digits with or without colons (as {@code openssl x509 -fingerprint -sha256} or Proxmox's
 *     {@code pvenode cert info} print it), kept as upper-case pairs joined by colons
 * @param setting the config key an operator sets to pin the certificate, whichever way it is trusted
 *     now, e.g. {@code providers.proxmox.clusters[lab].fingerprint}: named in refusals ("set … to the
 *     new fingerprint", "pin its SHA-256 fingerprint … (…)"); null when there is none to name
 */
public record Tls(Path caFile, String pinnedSha256, String setting) {
  public static final Tls SYSTEM = new Tls(null, null, null);

  public Tls {
    if (caFile != null && pinnedSha256 != null) {
      throw new IllegalArgumentException("give either a CA file or a pinned certificate fingerprint, not both");
    }
    if (pinnedSha256 != null) pinnedSha256 = fingerprint(pinnedSha256);
  }

  public Tls(Path caFile, String pinnedSha256) {
    this(caFile, pinnedSha256, null);
  }

  /** Trusts exactly the certificate with this SHA-256 fingerprint; {@code setting} names the key it is configured by. */
  public static Tls pinned(String sha256, String setting) {
    return new Tls(null, sha256, setting);
  }

  /** Trusts the CA certificates in this PEM file; {@code setting} names where a pin would be configured instead. */
  public static Tls caFile(Path pem, String setting) {
    return new Tls(pem, null, setting);
  }

  /**
   * A SHA-256 fingerprint in the canonical form {@code AB:CD:…} (32 upper-case pairs).
   *
   * @throws IllegalArgumentException when it is not 64 hex digits (colons and spaces aside)
   */
  public static String fingerprint(String text) {
    String hex = text.trim();
    int eq = hex.indexOf('=');
    // "sha256 Fingerprint=AB:CD:..." as openssl prints it
    if (eq >= 0 && hex.substring(0, eq).toLowerCase(Locale.ROOT).contains("fingerprint")) hex = hex.substring(eq + 1);
    hex = hex.replace(":", "").replace(" ", "").toUpperCase(Locale.ROOT);
    if (!hex.matches("[0-9A-F]{64}")) {
      throw new IllegalArgumentException("a SHA-256 certificate fingerprint is 64 hex digits (32 pairs, colons allowed),"
          + " got " + hex.length() + " characters");
    }
    StringBuilder sb = new StringBuilder(95);
    for (int i = 0; i < 64; i += 2) {
      if (i > 0) sb.append(':');
      sb.append(hex, i, i + 2);
    }
    return sb.toString();
  }
}
