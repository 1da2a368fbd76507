package io.vncgate.providers.proxmox.api;

import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.providers.proxmox.tls.FingerprintMismatch;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLException;

/**
 * Every way a call to a cluster's API fails, in words a Proxmox admin knows, with what to do.
 * The gateway shows {@code UNAVAILABLE} and {@code NOT_FOUND} messages to the viewer and keeps
 * {@code MISCONFIGURED} ones (token, privileges, certificate: things only the operator can fix)
 * for its log. No message holds a secret.
 */
final class PveErrors {
  private final ClusterSettings cluster;

  PveErrors(ClusterSettings cluster) {
    this.cluster = cluster;
  }

  /** The API answered {@code status} (not 200) with PVE's own words {@code pveMessage}. */
  PveRefusal status(int status, String pveMessage, PveCall call) {
    String answer = status + (pveMessage.isEmpty() ? "" : " " + pveMessage);
    String principal = cluster.login().principal();
    String at = "Proxmox cluster " + cluster.name() + " (" + cluster.url() + ")";
    if (status == 401) {
      if (cluster.login() instanceof ClusterSettings.Token token) {
        return new PveRefusal(Kind.MISCONFIGURED, status, at + " refused the API token " + principal + " (" + answer
            + ") while " + call.what() + ": check " + cluster.key("token-id") + " and the secret in "
            + token.secretFile() + " (" + cluster.key("token-secret-file") + "); `pveum user token list "
            + principal.substring(0, principal.indexOf('!')) + "` shows whether the token exists and has not expired");
      }
      ClusterSettings.Password password = (ClusterSettings.Password) cluster.login();
      return new PveRefusal(Kind.MISCONFIGURED, status, at + " refused the login of " + principal + " (" + answer
          + ") while " + call.what() + ": check " + cluster.key("user") + " (with its realm, e.g. @pve or @pam) and"
          + " the password in " + password.passwordFile() + " (" + cluster.key("password-file") + ")");
    }
    if (status == 403) {
      if (call.guest() != null) {
        int vmid = call.guest().vmid();
        return new PveRefusal(Kind.MISCONFIGURED, status, at + " refused " + call.what() + " to " + principal + " ("
            + answer + "): " + principal + " needs the privilege VM.Console on /vms/" + vmid + ", e.g. `pveum acl"
            + " modify /vms/" + vmid + " " + (principal.contains("!") ? "--tokens '" : "--users '") + principal
            + "' --roles PVEVMUser` (or on /vms for all guests); a token made with --privsep 1 needs it for itself,"
            + " not only its user");
      }
      return new PveRefusal(Kind.MISCONFIGURED, status, at + " refused " + call.what() + " to " + principal + " ("
          + answer + "): check the privileges of " + principal + " (VM.Audit on /vms to list guests)");
    }
    if (status == 595 || status == 596) {
      String node = call.guest() == null ? "a node" : "node " + call.guest().node();
      return new PveRefusal(Kind.UNAVAILABLE, status, at + " cannot reach " + node + " (" + answer + ") while "
          + call.what() + ": is the node up and in the cluster (`pvecm status`)?");
    }
    if (call.guest() != null && (status == 500 || status == 400) && pveMessage.contains("does not exist")) {
      return new PveRefusal(Kind.UNAVAILABLE, status, at + " no longer has " + call.guest().kind() + " on node "
          + call.guest().node() + " (" + answer + "): it was moved or deleted; open it again");
    }
    return new PveRefusal(status >= 500 ? Kind.UNAVAILABLE : Kind.MISCONFIGURED, status, at + " answered " + answer
        + " while " + call.what());
  }

  /** The request got no HTTP answer at all. */
  ProviderException transport(Throwable error, PveCall call) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    if (cause instanceof ProviderException p) return p;
    FingerprintMismatch mismatch = find(cause, FingerprintMismatch.class);
    String api = "the Proxmox API of cluster " + cluster.name() + " at " + cluster.url();
    if (mismatch != null) {
      return new ProviderException(Kind.MISCONFIGURED, "certificate fingerprint mismatch: " + api + " presented a"
          + " certificate with SHA-256 fingerprint " + mismatch.actual() + ", but " + cluster.key("fingerprint")
          + " is " + mismatch.expected() + ". If the node's certificate was renewed on purpose, set "
          + cluster.key("fingerprint") + " to " + mismatch.actual() + " (`pvenode cert info` on the node shows it);"
          + " otherwise something else answers at that address");
    }
    SSLException tls = find(cause, SSLException.class);
    if (tls != null) {
      String trust = cluster.fingerprint() != null
          ? "check that " + cluster.url() + " is the Proxmox API (pveproxy, usually port 8006)"
          : cluster.caFile() != null
          ? "it must be signed by a CA in " + cluster.caFile() + " (" + cluster.key("ca-file") + ") and name the host "
              + cluster.url().getHost()
          : "it is not trusted by the JVM's trust store: set " + cluster.key("fingerprint") + " to its SHA-256"
              + " fingerprint (`pvenode cert info`) or " + cluster.key("ca-file") + " to the CA that signed it";
      return new ProviderException(Kind.MISCONFIGURED, "TLS to " + api + " failed (" + tls.getMessage() + ") while "
          + call.what() + ": " + trust);
    }
    String why;
    if (cause instanceof HttpConnectTimeoutException) {
      why = "the connection timed out";
    } else if (cause instanceof HttpTimeoutException) {
      why = "it did not answer in time";
    } else if (find(cause, ConnectException.class) != null) {
      why = "connection refused";
    } else if (find(cause, UnresolvedAddressException.class) != null || find(cause, UnknownHostException.class) != null) {
      why = "host " + cluster.url().getHost() + " not found";
    } else {
      why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
    return new ProviderException(Kind.UNAVAILABLE, api + " cannot be reached while " + call.what() + ": " + why);
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) return type.cast(t);
    }
    return null;
  }
}
