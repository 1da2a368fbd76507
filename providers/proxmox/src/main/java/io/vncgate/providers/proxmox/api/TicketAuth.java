package io.vncgate.providers.proxmox.api;

import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user and password: {@code POST /access/ticket} gives a {@code PVEAuthCookie} ticket valid for
 * two hours and the {@code CSRFPreventionToken} for POSTs. A new login is made once the ticket is
 * {@link #RENEW_AFTER} old (well before PVE refuses it) or after the API refused it; concurrent
 * callers share one login. The password file is read at every login.
 */
final class TicketAuth implements PveAuth {
  /** PVE tickets live 2 h; renew with a wide margin, as the PVE web interface does. */
  static final Duration RENEW_AFTER = Duration.ofMinutes(90);
  private static final Logger log = LoggerFactory.getLogger(TicketAuth.class);

  private final ClusterSettings cluster;
  private final ClusterSettings.Password login;
  private final PveHttp http;
  private final Executor files;
  private final Clock clock;
  private CompletableFuture<ApiAuth> ticket;
  private Instant loginStartedAt = Instant.MIN;

  TicketAuth(ClusterSettings cluster, ClusterSettings.Password login, PveHttp http, Executor files, Clock clock) {
    this.cluster = cluster;
    this.login = login;
    this.http = http;
    this.files = files;
    this.clock = clock;
  }

  @Override
  public synchronized CompletableFuture<ApiAuth> current() {
    boolean usable = ticket != null && (!ticket.isDone()
        || (!ticket.isCompletedExceptionally() && clock.instant().isBefore(loginStartedAt.plus(RENEW_AFTER))));
    if (usable) return ticket;
    loginStartedAt = clock.instant();
    CompletableFuture<ApiAuth> attempt = CompletableFuture.supplyAsync(this::password, files)
        .thenCompose(this::logIn);
    ticket = attempt;
    attempt.whenComplete((auth, error) -> {
      if (error != null) forget(attempt);
    });
    return attempt;
  }

  @Override
  public synchronized boolean refused(ApiAuth refused) {
    if (ticket != null && ticket.isDone() && !ticket.isCompletedExceptionally() && ticket.join() == refused) {
      ticket = null;
    }
    return true;
  }

  private synchronized void forget(CompletableFuture<ApiAuth> attempt) {
    if (ticket == attempt) ticket = null;
  }

  private CompletableFuture<ApiAuth> logIn(String password) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", login.user());
    form.put("password", password);
    return http.call("POST", "/access/ticket", form, null, PveCall.login(login.user())).thenApply(data -> {
      PveJson.Login l;
      try {
        l = PveJson.login(data);
      } catch (IllegalArgumentException e) {
        throw new ProviderException(Kind.UNAVAILABLE, "the Proxmox API of cluster " + cluster.name()
            + " answered the login of " + login.user() + " oddly: " + e.getMessage());
      }
      if (l.needsSecondFactor()) {
        throw new ProviderException(Kind.MISCONFIGURED, "the Proxmox user " + login.user() + " (cluster "
            + cluster.name() + ") has two-factor authentication, which the gateway cannot answer: use an API token"
            + " instead (" + cluster.key("token-id") + " and token-secret-file)");
      }
      log.info("proxmox cluster {}: logged in as {} (ticket renewed after {} min)", cluster.name(), login.user(),
          RENEW_AFTER.toMinutes());
      return new ApiAuth("Cookie", Secret.of("PVEAuthCookie=" + l.ticket().reveal()), l.csrfToken());
    });
  }

  private String password() {
    try {
      // the first line, without its line end
      String password = Files.readString(login.passwordFile(), StandardCharsets.UTF_8).split("\r?\n", 2)[0];
      if (password.isEmpty()) {
        throw new ProviderException(Kind.MISCONFIGURED, "the password file " + login.passwordFile() + " ("
            + cluster.key("password-file") + ") is empty");
      }
      return password;
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "the password file " + login.passwordFile() + " ("
          + cluster.key("password-file") + ") cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
