package io.vncgate.providers.proxmox.config;

import io.vncgate.providers.proxmox.tls.Fingerprints;
import io.vncgate.providers.proxmox.tls.TlsContexts;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code providers.proxmox}. Every error names the full key, e.g.
 * {@code providers.proxmox.clusters[0].fingerprint: expected ...}. Secret files are checked for
 * being readable and not empty; their contents are never put in a message.
 */
public final class SettingsReader {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  /** PVE's user id: {@code name@realm}; the name has no ':' (pve-access-control's verify_username). */
  private static final Pattern USER = Pattern.compile("[^\\s:/@!]+@[A-Za-z][A-Za-z0-9.\\-_]*");
  /** PVE's token id: {@code user@realm!tokenname}. */
  private static final Pattern TOKEN_ID = Pattern.compile("[^\\s:/@!]+@[A-Za-z][A-Za-z0-9.\\-_]*![A-Za-z][A-Za-z0-9.\\-_]*");
  /** A PVE tag or pool name: letters, digits and a few punctuation characters. */
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_+.-]+");

  private SettingsReader() {}

  public static List<ClusterSettings> read(ProviderConfig config, Path configDir) {
    config.onlyKeys("clusters");
    List<ProviderConfig> sections = config.sections("clusters");
    if (sections.isEmpty()) {
      throw config.missing("clusters", "at least one cluster (name, url, token-id and token-secret-file, fingerprint)");
    }
    List<ClusterSettings> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ProviderConfig c : sections) {
      ClusterSettings cluster = cluster(c, configDir);
      if (!names.add(cluster.name())) throw c.invalid("name", "\"" + cluster.name() + "\" is used by another cluster");
      out.add(cluster);
    }
    return List.copyOf(out);
  }

  private static ClusterSettings cluster(ProviderConfig c, Path configDir) {
    c.onlyKeys("name", "url", "token-id", "token-secret-file", "user", "password-file", "fingerprint", "ca-file",
        "tags", "pools");
    String name = c.string("name");
    if (!NAME.matcher(name).matches()) {
      throw c.invalid("name", "expected lower-case letters, digits, '.', '_' or '-' (it is part of the target ids"
          + " proxmox/<name>/<vmid>), got \"" + name + "\"");
    }
    URI url = url(c);
    ClusterSettings.Login login = login(c, configDir);
    String fingerprint = c.optionalString("fingerprint").map(f -> fingerprint(c, f)).orElse(null);
    Path caFile = c.optionalString("ca-file").map(f -> configDir.resolve(f.strip()).normalize()).orElse(null);
    if (fingerprint != null && caFile != null) {
      throw c.invalid("ca-file", "set either fingerprint (the API certificate's own SHA-256) or ca-file (the CA"
          + " that signed it), not both");
    }
    if (caFile != null) {
      try {
        TlsContexts.caTrust(caFile);
      } catch (IOException | GeneralSecurityException e) {
        throw c.invalid("ca-file", "cannot be used as a CA file: " + e.getMessage());
      }
    }
    return new ClusterSettings(name, c.path(), url, login, fingerprint, caFile, names(c, "tags"), names(c, "pools"));
  }

  private static URI url(ProviderConfig c) {
    String text = c.string("url").strip();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw c.invalid("url", "expected the API's address like https://pve1.example:8006, got \"" + text + "\"");
    }
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw c.invalid("url", "expected the API's address like https://pve1.example:8006 (https: the API speaks only"
          + " TLS), got \"" + text + "\"");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw c.invalid("url", "expected only scheme, host and port (the gateway adds /api2/json/...), got \"" + text + "\"");
    }
    return URI.create("https://" + uri.getRawAuthority());
  }

  private static ClusterSettings.Login login(ProviderConfig c, Path configDir) {
    boolean token = c.has("token-id") || c.has("token-secret-file");
    boolean password = c.has("user") || c.has("password-file");
    if (token && password) {
      throw c.invalid(c.has("user") ? "user" : "password-file", "set either token-id and token-secret-file (an API"
          + " token) or user and password-file, not both");
    }
    if (!password) {
      String tokenId = c.optionalString("token-id").map(String::strip)
          .orElseThrow(() -> c.missing("token-id", "an API token id like vncgate@pve!gateway (or user and password-file)"));
      if (!TOKEN_ID.matcher(tokenId).matches()) {
        throw c.invalid("token-id", "expected user@realm!tokenname, e.g. vncgate@pve!gateway, got \"" + tokenId + "\"");
      }
      Path secret = secretFile(c, "token-secret-file", configDir, "the token's secret (pveum user token add prints it once)");
      return new ClusterSettings.Token(tokenId, secret);
    }
    String user = c.optionalString("user").map(String::strip)
        .orElseThrow(() -> c.missing("user", "a PVE user like vncgate@pve, together with password-file"));
    if (!USER.matcher(user).matches()) {
      throw c.invalid("user", "expected user@realm, e.g. vncgate@pve, got \"" + user + "\"");
    }
    return new ClusterSettings.Password(user, secretFile(c, "password-file", configDir, "the user's password"));
  }

  /** A file that must exist, be readable and not be empty; never quoted. */
  private static Path secretFile(ProviderConfig c, String key, Path configDir, String what) {
    Path file = configDir.resolve(c.optionalString(key)
        .orElseThrow(() -> c.missing(key, "a file holding " + what)).strip()).normalize();
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw c.invalid(key, "file " + file + " does not exist or is not readable; it should hold " + what);
    }
    try {
      if (Files.readString(file).isBlank()) throw c.invalid(key, "file " + file + " is empty; it should hold " + what);
    } catch (IOException e) {
      throw c.invalid(key, "file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    return file;
  }

  private static String fingerprint(ProviderConfig c, String text) {
    return Fingerprints.normalize(text).orElseThrow(() -> c.invalid("fingerprint", "expected the SHA-256 fingerprint"
        + " of the API certificate as 32 hex pairs separated by ':' (as `pvenode cert info` shows it), got \""
        + text.strip() + "\""));
  }

  private static List<String> names(ProviderConfig c, String key) {
    List<String> values = c.strings(key).stream().map(String::strip).toList();
    for (int i = 0; i < values.size(); i++) {
      if (!TAG.matcher(values.get(i)).matches()) {
        throw new ProviderConfigException(c.key(key) + "[" + i + "]", "expected a PVE " + key.substring(0, key.length() - 1)
            + " name (letters, digits, '_', '+', '.', '-'), got \"" + values.get(i) + "\"");
      }
    }
    return values;
  }
}
