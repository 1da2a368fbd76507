package io.vncgate.gateway.config;

import io.vncgate.gateway.transport.ZeroCopy;
import io.vncgate.gateway.transport.ssh.SshSettings;
import io.vncgate.spi.ProviderConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The gateway's whole configuration: one typed, validated tree built once at start by
 * {@link ConfigLoader}. Every error names the key.
 */
public record GatewayConfig(
    Path file,
    Server server,
    Jwt jwt,
    Duration ticketTtl,
    Clipboard clipboard,
    ProviderConfig providers,
    Path pluginsDir,
    List<String> admins,
    Path auditFile,
    SshSettings ssh) {

  /** Where the gateway listens and how long it waits. */
  public record Server(
      String host,
      int port,
      List<String> allowedOrigins,
      Tcp tcp,
      Duration handshakeTimeout,
      Duration idleTimeout,
      Duration providerTimeout,
      /* a WebSocket ping to every browser this often, so idle proxies keep the connection; zero: none */
      Duration wsKeepalive,
      /* whether large server payloads are spliced to viewers socket to socket */
      ZeroCopy zeroCopy,
      /* how long a connected target may stay silent before its RFB banner: then it is named as no VNC server */
      Duration bannerTimeout) {

    /**
     * The origins allowed to open WebSockets: the configured ones, or by default the gateway's own
     * ({@code http://host:port}, plus {@code localhost} when bound to loopback or all addresses).
     */
    public List<String> originsFor(int actualPort) {
      if (!allowedOrigins.isEmpty()) return allowedOrigins;
      if (host.equals("127.0.0.1") || host.equals("0.0.0.0") || host.equals("localhost")) {
        return List.of("http://127.0.0.1:" + actualPort, "http://localhost:" + actualPort);
      }
      return List.of("http://" + host + ":" + actualPort);
    }
  }

  /** The TCP front for native viewers. */
  public record Tcp(boolean enabled, String host, int port) {}

  /**
   * JWT verification (and, where a signing key is present, minting for {@code vncgate token}).
   *
   * @param key the HS256 secret, or the PEM public key for RS256/ES256
   * @param signingKey the HS256 secret, or a PEM private key for RS256/ES256; null if not configured
   */
  public record Jwt(String algorithm, byte[] key, byte[] signingKey, String issuer, String audience) {
    public boolean symmetric() {
      return algorithm.startsWith("HS");
    }

    @Override
    public String toString() {
      return "Jwt[algorithm=" + algorithm + ", issuer=" + issuer + ", audience=" + audience + "]";
    }
  }

  /** Gateway-wide clipboard policy; providers may narrow it per target. */
  public record Clipboard(long maxBytes, boolean toServer, boolean toViewer) {}
}
