package io.vncgate.spi;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How to trust an upstream TLS server. There is no trust-all: a self-signed server is trusted by
 * pinning its certificate's SHA-256 fingerprint or by a CA file.
 *
 * <ul>
 *   <li>neither set ({@link #SYSTEM}): the JDK's CA certificates, and the host name in the URL must
 *       be one the certificate names;
 *   <li>{@code caFile}: a PEM bundle trusted instead of the JDK's, and the host name is checked;
 *   <li>{@code caPem}: the same, the PEM text given inline (a kubeconfig's
 *       {@code certificate-authority-data});
 *   <li>{@code pinnedSha256}: exactly the server certificate with that SHA-256 fingerprint is
 *       trusted, whoever signed it and whatever names it holds (the pin is the check: Proxmox's
 *       self-signed certificates name the node, not the address the gateway uses).
 * </ul>
 *
 * @param caFile PEM bundle to trust instead of the system's, or null
 * @param pinnedSha256 SHA-256 fingerprint of the server certificate, or null; given as 64 hex
 *     digits with or without colons (as {@code openssl x509 -fingerprint -sha256} or Proxmox's
 *     {@code pvenode cert info} print it), kept as upper-case pairs joined by colons
 * <p>Apart from how the server is trusted, the gateway may show a client certificate
 * ({@code clientCertificate}, e.g. a kubeconfig's {@code client-certificate-data} and
 * {@code client-key-data}).
 *
 * @param setting the config key an operator sets to pin the certificate, whichever way it is trusted
 *     now, e.g. {@code providers.proxmox.clusters[lab].fingerprint}: named in refusals ("set … to the
 *     new fingerprint", "pin its SHA-256 fingerprint … (…)"); null when there is none to name
 */
public record Tls(Path caFile, String pinnedSha256, String setting, String caPem, ClientCertificate clientCertificate) {
  public static final Tls SYSTEM = new Tls(null, null, null);

  public Tls {
    int trusts = (caFile != null ? 1 : 0) + (pinnedSha256 != null ? 1 : 0) + (caPem != null ? 1 : 0);
    if (trusts > 1) {
      throw new IllegalArgumentException("give one of a CA file, CA certificates (PEM) or a pinned certificate"
          + " fingerprint, not several");
    }
    if (caPem != null && !caPem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("the CA certificates are not PEM (no -----BEGIN CERTIFICATE----- line)");
    }
    if (pinnedSha256 != null) pinnedSha256 = fingerprint(pinnedSha256);
  }

  public Tls(Path caFile, String pinnedSha256, String setting) {
    this(caFile, pinnedSha256, setting, null, null);
  }

  public Tls(Path caFile, String pinnedSha256) {
    this(caFile, pinnedSha256, null);
  }

  /**
   * A client certificate the gateway shows the server (TLS client authentication).
   *
   * @param certificatePem the certificate (and any intermediates) as PEM
   * @param keyPem its private key as PEM (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}
   *     or SEC 1 {@code EC PRIVATE KEY}); a secret, never shown
   */
  public record ClientCertificate(String certificatePem, Secret keyPem) {
    public ClientCertificate {
      Objects.requireNonNull(certificatePem, "certificatePem");
      Objects.requireNonNull(keyPem, "keyPem");
      if (!certificatePem.contains("-----BEGIN CERTIFICATE-----")) {
        throw new IllegalArgumentException("the client certificate is not PEM (no -----BEGIN CERTIFICATE----- line)");
      }
      if (!keyPem.reveal().contains("PRIVATE KEY-----")) {
        throw new IllegalArgumentException("the client key is not a PEM private key (no -----BEGIN … PRIVATE KEY----- line)");
      }
    }

    @Override
    public String toString() {
      return "ClientCertificate[key=***]";
    }
  }

  /** Trusts the CA certificates in this PEM text; {@code setting} names the key it comes from. */
  public static Tls caPem(String pem, String setting) {
    return new Tls(null, null, setting, pem, null);
  }

  /** The same trust, showing this client certificate (null: none). */
  public Tls withClientCertificate(ClientCertificate certificate) {
    return new Tls(caFile, pinnedSha256, setting, caPem, certificate);
  }

  /** Without the PEM text (long) and the client key (secret). */
  @Override
  public String toString() {
    return "Tls[caFile=" + caFile + ", pinnedSha256=" + pinnedSha256 + ", setting=" + setting
        + (caPem == null ? "" : ", caPem=(" + caPem.length() + " characters)")
        + (clientCertificate == null ? "" : ", " + clientCertificate) + "]";
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
