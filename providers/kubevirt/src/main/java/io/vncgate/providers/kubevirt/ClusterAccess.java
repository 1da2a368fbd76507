package io.vncgate.providers.kubevirt;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.Secret;
import io.vncgate.spi.Tls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * How the provider reaches the cluster, from a kubeconfig (parsed by fabric8) or the pod's service
 * account: the API server's URL, the fabric8 {@link Config} for the API calls, and what the gateway
 * needs for the {@code vnc} WebSocket — the same bearer token or client certificate and the same
 * CA. Never trust-all: {@code insecure-skip-tls-verify} is refused at start.
 *
 * @param source what the credentials come from, for words ("the kubeconfig /etc/vncgate/kubeconfig")
 */
record ClusterAccess(URI apiUrl, Config config, Tls tls, OAuthTokenProvider token, String source) {
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  /** The bearer token for one request (read again each time: service account tokens rotate), or null. */
  Secret bearer() {
    if (token == null) return null;
    String t = token.getToken();
    return t == null || t.isBlank() ? null : Secret.of(t.trim());
  }

  static ClusterAccess fromKubeconfig(KubeVirtSettings settings) {
    String key = settings.key("kubeconfig");
    Path file = settings.kubeconfig();
    if (!Files.isReadable(file)) {
      throw new ProviderConfigException(key, "cannot read the kubeconfig " + file + " (missing, or not readable by"
          + " the gateway's user)");
    }
    Config config;
    try {
      config = Config.fromKubeconfig(settings.context(), file.toFile());
    } catch (RuntimeException e) {
      throw new ProviderConfigException(key, "cannot use the kubeconfig " + file + ": " + e.getMessage());
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new ProviderConfigException(key, "the kubeconfig " + file + " names no cluster server for context "
          + (settings.context() == null ? "current-context" : settings.context()));
    }
    String source = "the kubeconfig " + file;
    if (config.isTrustCerts()) {
      throw new ProviderConfigException(key, "the cluster in " + file + " has insecure-skip-tls-verify: true, which"
          + " would send the gateway's credentials to any server: remove it and give the cluster's CA as"
          + " certificate-authority-data (kubectl config view --raw --minify shows it) or certificate-authority");
    }
    Tls tls = trust(config, key, file);
    OAuthTokenProvider token = token(config, tokenFile(settings));
    if (token == null && tls.clientCertificate() == null) {
      throw new ProviderConfigException(key, "the user of " + file + " has no token, tokenFile or client certificate"
          + " the gateway can use (exec and auth-provider plugins are not supported): give a service account"
          + " token (kubectl create token, or a kubernetes.io/service-account-token Secret)");
    }
    return new ClusterAccess(apiUrl(config, key), tuned(config, token), tls, token, source);
  }

  /**
   * The pod's service account: the API at {@code KUBERNETES_SERVICE_HOST}:{@code KUBERNETES_SERVICE_PORT},
   * its token and CA from {@code dir} (the token is read for every request: it rotates).
   */
  static ClusterAccess inCluster(Map<String, String> env, Path dir, String key) {
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    Path tokenFile = dir.resolve("token");
    Path ca = dir.resolve("ca.crt");
    if (host == null || host.isBlank() || !Files.isReadable(tokenFile)) {
      throw new ProviderConfigException(key, "not set, and the gateway does not run in a Kubernetes pod with a"
          + " service account (" + (host == null || host.isBlank() ? "no KUBERNETES_SERVICE_HOST" : "no " + tokenFile)
          + "): set it to a kubeconfig file");
    }
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    String url = "https://" + hostPart + ":" + port;
    OAuthTokenProvider token = () -> read(tokenFile);
    Tls tls = Files.isReadable(ca) ? Tls.caPem(read(ca), "the service account's ca.crt") : Tls.SYSTEM;
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url)
        .withCaCertData(Files.isReadable(ca) ? base64(read(ca)) : null).build();
    return new ClusterAccess(URI.create(url), tuned(config, token), tls, token,
        "the pod's service account (" + dir + ")");
  }

  /** A copy for the API calls: a token read per request, short timeouts, no retries (the gateway has its own). */
  private static Config tuned(Config config, OAuthTokenProvider token) {
    ConfigBuilder b = new ConfigBuilder(config)
        .withConnectionTimeout(5_000)
        .withRequestTimeout(10_000)
        .withRequestRetryBackoffLimit(0);
    if (token != null) b.withOauthTokenProvider(token);
    return b.build();
  }

  private static Tls trust(Config config, String key, Path file) {
    Tls tls;
    if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
      tls = Tls.caPem(pem(decode(config.getCaCertData(), "certificate-authority-data", key, file), "certificate-authority-data",
          key, file), key);
    } else if (config.getCaCertFile() != null && !config.getCaCertFile().isBlank()) {
      tls = Tls.caPem(pem(readNamed(config.getCaCertFile(), "certificate-authority", key), "certificate-authority",
          key, file), key);
    } else {
      tls = new Tls(null, null, key);
    }
    String cert = config.getClientCertData() != null ? decode(config.getClientCertData(), "client-certificate-data", key, file)
        : config.getClientCertFile() != null ? readNamed(config.getClientCertFile(), "client-certificate", key) : null;
    String clientKey = config.getClientKeyData() != null ? decode(config.getClientKeyData(), "client-key-data", key, file)
        : config.getClientKeyFile() != null ? readNamed(config.getClientKeyFile(), "client-key", key) : null;
    if ((cert == null) != (clientKey == null)) {
      throw new ProviderConfigException(key, "the user of " + file + " has a client certificate without its key, or a"
          + " key without its certificate: give both (client-certificate-data and client-key-data)");
    }
    if (cert != null) {
      try {
        tls = tls.withClientCertificate(new Tls.ClientCertificate(cert, Secret.of(clientKey)));
      } catch (IllegalArgumentException e) {
        throw new ProviderConfigException(key, "the client certificate of " + file + " cannot be used: " + e.getMessage());
      }
    }
    return tls;
  }

  /**
   * The {@code tokenFile} of the context's user (fabric8's {@code Config} does not read it), relative
   * to the kubeconfig's folder as kubectl takes it; null when there is none.
   */
  private static Path tokenFile(KubeVirtSettings settings) {
    io.fabric8.kubernetes.api.model.Config kc = KubeConfigUtils.parseConfig(settings.kubeconfig().toFile());
    String contextName = settings.context() != null ? settings.context() : kc.getCurrentContext();
    String user = kc.getContexts() == null ? null : kc.getContexts().stream()
        .filter(c -> c.getName() != null && c.getName().equals(contextName) && c.getContext() != null)
        .map(c -> c.getContext().getUser()).findFirst().orElse(null);
    if (user == null || kc.getUsers() == null) return null;
    return kc.getUsers().stream()
        .filter(u -> user.equals(u.getName()) && u.getUser() != null && u.getUser().getTokenFile() != null)
        .map(u -> settings.kubeconfig().toAbsolutePath().getParent().resolve(u.getUser().getTokenFile()))
        .findFirst().orElse(null);
  }

  /** The kubeconfig's token, or its token file read for every request; null when there is neither. */
  private static OAuthTokenProvider token(Config config, Path tokenFile) {
    if (config.getOauthTokenProvider() != null) return config.getOauthTokenProvider();
    if (tokenFile != null && (config.getOauthToken() == null || config.getOauthToken().isBlank())) {
      return () -> read(tokenFile);
    }
    String t = config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
    if (t == null || t.isBlank()) return null;
    return () -> t;
  }

  private static URI apiUrl(Config config, String key) {
    URI uri;
    try {
      uri = URI.create(config.getMasterUrl().replaceAll("/+$", ""));
    } catch (IllegalArgumentException e) {
      throw new ProviderConfigException(key, "the cluster server " + config.getMasterUrl() + " is not a URL");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new ProviderConfigException(key, "the cluster server " + uri + " is not https://: the gateway would send"
          + " its credentials in the clear; use the API server's https:// address");
    }
    return uri;
  }

  private static String pem(String text, String field, String key, Path file) {
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new ProviderConfigException(key, field + " in " + file + " holds no PEM certificate");
    }
    return text;
  }

  private static String decode(String data, String field, String key, Path file) {
    try {
      return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new ProviderConfigException(key, field + " in " + file + " is not base64");
    }
  }

  private static String readNamed(String path, String field, String key) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ProviderConfigException(key, "cannot read " + field + " " + path + ": " + e.getMessage());
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
