package io.vncgate.gateway.front;

import io.vertx.core.Vertx;
import io.vncgate.gateway.config.ConfigException;
import io.vncgate.gateway.engine.ServerTls;

/**
 * TLS for VeNCrypt on the TCP front: server.tls's certificate and key (as {@link TlsFiles} read and
 * checked them, reloads included), TLS 1.2 and 1.3 as on the HTTP port. The TLS handler is put in
 * the socket's pipeline by {@link ServerTls}, which issues no TLS 1.3 session tickets: TigerVNC's
 * viewer (1.12, GnuTLS) stalls when the server's NewSessionTicket and the VNC-auth challenge reach
 * it in one read, and a native viewer cannot resume a session anyway (every connection redeems a
 * new one-shot ticket).
 */
final class VeNCryptTls {
  private VeNCryptTls() {}

  /** A server context for {@code files}; a problem is a {@link ConfigException} naming server.tls. */
  static ServerTls context(Vertx vertx, TlsFiles files) {
    try {
      return ServerTls.of(files.keyCertOptions().getKeyManagerFactory(vertx), TlsFiles.PROTOCOLS);
    } catch (Exception e) {
      throw new ConfigException("server.tls: the certificate and key cannot be used for the TCP front's TLS: "
          + e.getMessage());
    }
  }
}
