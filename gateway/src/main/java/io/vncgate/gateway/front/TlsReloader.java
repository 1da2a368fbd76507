package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vncgate.gateway.config.GatewayConfig;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads {@code server.tls}'s files when they change (certbot, cert-manager): every
 * {@code check-interval}, on a worker thread, a hash of both files; on a change the pair is checked
 * again and, if good, given to every HTTP front and TCP front (VeNCrypt) for new connections. Open connections keep the
 * certificate they were set up with. A bad pair (half-written, mismatched) is logged and the
 * served one kept; it is tried again at the next change.
 */
public final class TlsReloader {
  private static final Logger log = LoggerFactory.getLogger(TlsReloader.class);

  private final Vertx vertx;
  private final GatewayConfig.Tls tls;
  private final Supplier<List<WebSocketFront>> fronts;
  private final Supplier<List<TcpFront>> tcpFronts;
  private volatile byte[] served;
  /** The hash of a pair that failed its check: logged once, not at every tick. */
  private volatile byte[] refused;
  private long timer = -1;
  /** The served leaf certificate, and the timer that warns once a day while it expires within {@link #EXPIRY_WARNING}. */
  private volatile X509Certificate leaf;
  private long expiryTimer = -1;
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);
  private volatile boolean checking;

  public TlsReloader(Vertx vertx, GatewayConfig.Tls tls, TlsFiles current, Supplier<List<WebSocketFront>> fronts) {
    this(vertx, tls, current, fronts, List::of);
  }

  /** @param tcpFronts the TCP fronts, whose VeNCrypt connections take the new pair too */
  public TlsReloader(Vertx vertx, GatewayConfig.Tls tls, TlsFiles current, Supplier<List<WebSocketFront>> fronts,
      Supplier<List<TcpFront>> tcpFronts) {
    this.vertx = vertx;
    this.tls = tls;
    this.served = current.sha256();
    this.leaf = current.leaf();
    this.fronts = fronts;
    this.tcpFronts = tcpFronts;
  }

  public void start() {
    timer = vertx.setPeriodic(tls.checkInterval().toMillis(), id -> check());
    warnIfExpiring();
    expiryTimer = vertx.setPeriodic(Duration.ofDays(1).toMillis(), id -> warnIfExpiring());
  }

  /** A warning when the served certificate expires within 14 days (at start, then once a day). */
  void warnIfExpiring() {
    X509Certificate c = leaf;
    Duration left = Duration.between(Instant.now(), c.getNotAfter().toInstant());
    if (left.compareTo(EXPIRY_WARNING) < 0) {
      log.warn("server.tls: the certificate {} expires on {}, in {} days; renew it (certbot renew, or a new one from"
          + " your CA): the gateway serves the new files when they change", c.getSubjectX500Principal().getName(),
          c.getNotAfter().toInstant(), Math.max(0, left.toDays()));
    }
  }

  public void stop() {
    if (timer != -1) vertx.cancelTimer(timer);
    if (expiryTimer != -1) vertx.cancelTimer(expiryTimer);
  }

  private void check() {
    if (checking) return;
    checking = true;
    vertx.<TlsFiles>executeBlocking(() -> {
      byte[] now = TlsFiles.currentHash(tls);
      if (now == null || Arrays.equals(now, served) || Arrays.equals(now, refused)) return null;
      try {
        return TlsFiles.read(vertx, tls);
      } catch (RuntimeException e) {
        refused = now;
        log.warn("server.tls: the changed files are not served, the previous certificate stays: {}", e.getMessage());
        return null;
      }
    }).compose(files -> files == null ? Future.succeededFuture() : apply(files))
        .onComplete(ar -> {
          checking = false;
          if (ar.failed()) log.warn("server.tls: reloading the certificate failed: {}", ar.cause().getMessage());
        });
  }

  private Future<Void> apply(TlsFiles files) {
    List<Future<Boolean>> updates = new ArrayList<>(fronts.get().stream().map(f -> f.updateTls(files)).toList());
    tcpFronts.get().forEach(f -> updates.add(f.updateTls(files)));
    return Future.all(updates).onSuccess(v -> {
      served = files.sha256();
      leaf = files.leaf();
      log.info("server.tls: new certificate served to new connections: {}", files.describe());
    }).mapEmpty();
  }
}
