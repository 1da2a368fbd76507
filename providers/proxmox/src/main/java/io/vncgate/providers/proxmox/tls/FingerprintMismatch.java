package io.vncgate.providers.proxmox.tls;

import java.security.cert.CertificateException;

/** The API's certificate is not the pinned one; carries both fingerprints for the message. */
public final class FingerprintMismatch extends CertificateException {
  private final String expected;
  private final String actual;

  FingerprintMismatch(String expected, String actual) {
    super("the server's certificate has SHA-256 fingerprint " + actual + ", not the pinned " + expected);
    this.expected = expected;
    this.actual = actual;
  }

  public String expected() {
    return expected;
  }

  public String actual() {
    return actual;
  }
}
