package io.vncgate.providers.proxmox.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/** SHA-256 certificate fingerprints in the form Proxmox shows them: {@code AB:CD:...} (32 pairs). */
public final class Fingerprints {
  private Fingerprints() {}

  /**
   * The fingerprint in PVE's form, from text in that form or as 64 hex digits (upper or lower
   * case, with or without ':'), also with openssl's {@code sha256 Fingerprint=} before it; empty
   * when it is not a SHA-256 fingerprint.
   */
  public static Optional<String> normalize(String text) {
    String value = text.strip();
    int eq = value.indexOf('=');
    // "sha256 Fingerprint=AB:CD:..." as openssl x509 -fingerprint prints it
    if (eq >= 0 && value.substring(0, eq).toLowerCase(Locale.ROOT).contains("fingerprint")) {
      value = value.substring(eq + 1).strip();
    }
    String hex = value.replace(":", "");
    if (!hex.matches("[0-9A-Fa-f]{64}")) return Optional.empty();
    if (value.contains(":") && !value.matches("([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}")) return Optional.empty();
    return Optional.of(colons(hex.toUpperCase(Locale.ROOT)));
  }

  /** The SHA-256 fingerprint of a certificate's DER encoding, in PVE's form. */
  public static String of(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return colons(HexFormat.of().withUpperCase().formatHex(digest));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot compute a SHA-256 fingerprint: " + e.getMessage(), e);
    }
  }

  private static String colons(String hex) {
    StringBuilder out = new StringBuilder(95);
    for (int i = 0; i < hex.length(); i += 2) {
      if (i > 0) out.append(':');
      out.append(hex, i, i + 2);
    }
    return out.toString();
  }
}
