package io.vncgate.spi;

import java.nio.file.Path;

/**
 * How to trust an upstream TLS server. There is no trust-all: a self-signed server is trusted by
 * pinning its certificate's SHA-256 fingerprint or by a CA file.
 *
 * @param caFile PEM bundle to trust instead of the system's, or null
 * @param pinnedSha256 hex SHA-256 fingerprint of the server certificate, or null
 */
public record Tls(Path caFile, String pinnedSha256) {
  public static final Tls SYSTEM = new Tls(null, null);
}
