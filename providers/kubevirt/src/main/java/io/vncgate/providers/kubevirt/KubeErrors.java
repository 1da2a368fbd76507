package io.vncgate.providers.kubevirt;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A failed kube API call in words a Kubernetes admin acts on: which account, which verb on which
 * resource in which namespace is missing (and the Role rule that grants it), a refused token, an
 * unreachable or untrusted API server. Decided on the HTTP status and exception types, never on
 * the server's words (which are quoted as they are).
 */
final class KubeErrors {
  private KubeErrors() {}

  /** What was asked: {@code verb} on {@code resource} in {@code group}, in {@code namespace} (null: cluster scope). */
  record Request(String verb, String group, String resource, String namespace) {
    String scope() {
      return namespace == null ? "in all namespaces (cluster scope)" : "in namespace \"" + namespace + "\"";
    }
  }

  static ProviderException explain(Throwable error, Request request, ClusterAccess access) {
    KubernetesClientException kube = find(error);
    if (kube != null && kube.getCode() > 0) return status(kube, request, access);
    Throwable root = root(error);
    String api = access.apiUrl().toString();
    if (root instanceof SSLHandshakeException || has(error, SSLException.class)) {
      return new ProviderException(Kind.UNAVAILABLE, "the Kubernetes API at " + api + " failed the TLS check ("
          + root.getMessage() + "): its certificate must be signed by the CA in " + access.source()
          + " (certificate-authority-data) and name the host in the server URL");
    }
    if (root instanceof ConnectException) {
      return new ProviderException(Kind.UNAVAILABLE, "the Kubernetes API at " + api + " cannot be reached (connection"
          + " refused): is the server URL in " + access.source() + " right, and the API server up?");
    }
    if (root instanceof HttpTimeoutException || root instanceof TimeoutException) {
      return new ProviderException(Kind.UNAVAILABLE, "the Kubernetes API at " + api + " did not answer in time");
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return new ProviderException(Kind.UNAVAILABLE, "the Kubernetes API at " + api + " could not be asked: "
        + (root instanceof IOException ? "I/O error: " : "") + m);
  }

  private static ProviderException status(KubernetesClientException kube, Request r, ClusterAccess access) {
    String said = kube.getStatus() != null && kube.getStatus().getMessage() != null ? kube.getStatus().getMessage() : null;
    String quote = said == null ? "" : " (the API server said: " + said + ")";
    return switch (kube.getCode()) {
      case 401 -> new ProviderException(Kind.MISCONFIGURED, "the Kubernetes API at " + access.apiUrl()
          + " refused the gateway's credentials from " + access.source() + " (401 Unauthorized): the token is wrong,"
          + " expired or of a deleted service account, or the client certificate is not signed by the cluster's CA;"
          + " give a current token (kubectl create token <service-account> -n <namespace>, or a"
          + " kubernetes.io/service-account-token Secret)");
      case 403 -> new ProviderException(Kind.MISCONFIGURED, "the gateway's Kubernetes account may not " + r.verb()
          + " " + r.resource() + " in API group " + r.group() + " " + r.scope() + quote + ": grant it a "
          + (r.namespace() == null ? "ClusterRole (with a ClusterRoleBinding)" : "Role (with a RoleBinding in that namespace)")
          + " with the rule apiGroups: [\"" + r.group() + "\"], resources: [\"" + r.resource() + "\"], verbs: [\""
          + r.verb() + "\"] (see docs/providers-kubevirt.md)");
      case 404 -> new ProviderException(Kind.NOT_FOUND, "the Kubernetes API has no " + r.resource() + " in "
          + r.group() + " " + r.scope() + quote + ": is KubeVirt installed in this cluster?");
      default -> new ProviderException(Kind.UNAVAILABLE, "the Kubernetes API at " + access.apiUrl() + " answered HTTP "
          + kube.getCode() + " to " + r.verb() + " " + r.resource() + " " + r.scope() + quote);
    };
  }

  private static KubernetesClientException find(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() > 0) return k;
    }
    return null;
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (type.isInstance(c)) return true;
    }
    return false;
  }

  private static Throwable root(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c;
  }
}
