package io.vncgate.providers.ssh.config;

import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import io.vncgate.spi.VncPasswordFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code providers.ssh}. Every error names the full key, e.g.
 * {@code providers.ssh.hosts[0].port: expected a whole number from 1 to 65535, got "x"}.
 */
public final class SettingsReader {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern PINNED = Pattern.compile(
      "SHA256:[A-Za-z0-9+/]{20,}=*|[a-z0-9@.-]+ [A-Za-z0-9+/]{20,}=*( .*)?");
  private static final Set<String> RESERVED_IDS = Set.of("hetzner", "aws");
  private static final String[] ACCESS_KEYS = {"user", "port", "identity-file", "vnc"};

  private final Path configDir;
  private final ProviderConfig defaults;

  private SettingsReader(Path configDir, ProviderConfig defaults) {
    this.configDir = configDir;
    this.defaults = defaults;
  }

  public static SshProviderSettings read(ProviderConfig config, Path configDir) {
    config.onlyKeys("known-hosts", "pinned-keys", "discovery-ttl", "defaults", "hosts", "hetzner", "aws");
    ProviderConfig defaults = config.section("defaults").onlyKeys(ACCESS_KEYS);
    // checked even when no entry falls back on them
    checkPasswordKeys(defaults.section("vnc"));
    SettingsReader reader = new SettingsReader(configDir, defaults);
    Path knownHosts = config.optionalString("known-hosts").map(reader::path).orElse(null);
    List<String> pinned = config.strings("pinned-keys");
    for (int i = 0; i < pinned.size(); i++) {
      if (!PINNED.matcher(pinned.get(i).strip()).matches()) {
        throw new ProviderConfigException(config.key("pinned-keys") + "[" + i + "]",
            "expected an OpenSSH public key line (ssh-ed25519 AAAA...) or a SHA256: fingerprint");
      }
    }
    if (knownHosts == null && pinned.isEmpty()) {
      throw config.missing("known-hosts", "a known_hosts file (or pinned-keys): host keys are always verified,"
          + " an unknown key is never accepted");
    }
    return new SshProviderSettings(knownHosts, pinned,
        config.duration("discovery-ttl", SshProviderSettings.DEFAULT_DISCOVERY_TTL),
        reader.hosts(config.sections("hosts")),
        config.optionalSection("hetzner").map(reader::hetzner),
        config.optionalSection("aws").map(aws -> {
          requireAwsSdk(config);
          return reader.aws(aws);
        }));
  }

  /** The class the AWS edition of the plugin bundles ({@code lib/ec2-*.jar}) and the plain edition does not. */
  static final String EC2_CLIENT = "software.amazon.awssdk.services.ec2.Ec2Client";

  /**
   * EC2 discovery needs the AWS SDK, which only the AWS edition of the plugin zip bundles
   * (vncgate-provider-ssh-VERSION-aws.zip): Hetzner and static users do not carry its ~23 MB.
   */
  private static void requireAwsSdk(ProviderConfig config) {
    try {
      Class.forName(EC2_CLIENT, false, SettingsReader.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw config.invalid("aws", "AWS EC2 discovery needs the AWS edition of the ssh plugin, which bundles the AWS"
          + " SDK: put vncgate-provider-ssh-<version>-aws.zip in the plugins folder instead of"
          + " vncgate-provider-ssh-<version>.zip (docs/providers-ssh.md)");
    }
  }

  private List<InventoryHost> hosts(List<ProviderConfig> sections) {
    List<InventoryHost> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ProviderConfig h : sections) {
      h.onlyKeys("id", "name", "host", "port", "user", "identity-file", "labels", "vnc");
      String id = h.string("id");
      if (!ID.matcher(id).matches() || RESERVED_IDS.contains(id)) {
        throw h.invalid("id", "expected letters, digits, '.', '_' or '-' (not \"hetzner\" or \"aws\"), got \"" + id + "\"");
      }
      if (!ids.add(id)) throw h.invalid("id", "\"" + id + "\" is used by another host");
      out.add(new InventoryHost(id, h.string("name", id), h.string("host"), labels(h), access(h)));
    }
    return out;
  }

  private HetznerSettings hetzner(ProviderConfig c) {
    c.onlyKeys("token-file", "label-selector", "endpoint", "network", "user", "port", "identity-file", "vnc");
    return new HetznerSettings(path(c.string("token-file")), c.string("label-selector", ""),
        endpoint(c).orElse(HetznerSettings.DEFAULT_ENDPOINT), choice(c, "network"), access(c));
  }

  private AwsSettings aws(ProviderConfig c) {
    c.onlyKeys("region", "tag", "endpoint", "access-key-id-file", "secret-access-key-file", "address", "user", "port",
        "identity-file", "vnc");
    String region = c.string("region");
    if (!region.matches("[a-z]{2}(-[a-z0-9]+)+")) throw c.invalid("region", "expected an AWS region like eu-central-1");
    String tag = c.string("tag");
    int eq = tag.indexOf('=');
    String key = (eq < 0 ? tag : tag.substring(0, eq)).strip();
    if (key.isEmpty()) throw c.invalid("tag", "expected key=value or key, got \"" + tag + "\"");
    Path keyId = c.optionalString("access-key-id-file").map(this::path).orElse(null);
    Path secret = c.optionalString("secret-access-key-file").map(this::path).orElse(null);
    if (keyId == null && secret != null) throw c.missing("access-key-id-file", "it, together with secret-access-key-file");
    if (keyId != null && secret == null) throw c.missing("secret-access-key-file", "it, together with access-key-id-file");
    return new AwsSettings(region, key, eq < 0 ? null : tag.substring(eq + 1).strip(), endpoint(c).orElse(null),
        keyId, secret, choice(c, "address"), access(c));
  }

  /** SSH user, port, keys and VNC endpoint: the entry's own values, then {@code defaults}. */
  private Access access(ProviderConfig own) {
    String user = own.optionalString("user").or(() -> defaults.optionalString("user"))
        .orElseThrow(() -> own.missing("user", "the SSH user (here or in " + defaults.path() + ")"));
    int port = own.port("port", defaults.port("port", 22));
    List<String> keys = own.has("identity-file") ? own.strings("identity-file") : defaults.strings("identity-file");
    if (keys.isEmpty()) {
      throw own.missing("identity-file", "a private key file (here or in " + defaults.path() + ")");
    }
    return new Access(port, user, keys.stream().map(this::path).toList(), vnc(own.section("vnc")));
  }

  /** The VNC endpoint; the entry's own password setting, of either kind, replaces the defaults'. */
  private VncEndpoint vnc(ProviderConfig own) {
    ProviderConfig fallback = defaults.section("vnc");
    checkPasswordKeys(own);
    ProviderConfig passwords = own.has("password-file") || own.has("password-remote-file") ? own : fallback;
    VncEndpoint d = VncEndpoint.DEFAULT;
    return new VncEndpoint(own.string("host", fallback.string("host", d.host())),
        own.port("port", fallback.port("port", d.port())),
        passwords.optionalString("password-file").map(this::path).map(SettingsReader::sayFormat).orElse(null),
        passwords.optionalString("password-remote-file").map(p -> remotePath(passwords, p)).orElse(null));
  }

  /** Known keys, at most one password source, and a remote path the gateway will accept. */
  private static void checkPasswordKeys(ProviderConfig vnc) {
    vnc.onlyKeys("host", "port", "password-file", "password-remote-file");
    if (vnc.has("password-file") && vnc.has("password-remote-file")) {
      throw vnc.invalid("password-remote-file", "set either password-file (a file on the gateway) or"
          + " password-remote-file (a file on the host), not both");
    }
    vnc.optionalString("password-remote-file").ifPresent(p -> remotePath(vnc, p));
  }

  /** A path on the SSH host: absolute, one line; checked as the gateway will check it. */
  private static String remotePath(ProviderConfig c, String text) {
    try {
      return new Credentials.VncPasswordOnHost(text.strip()).path();
    } catch (IllegalArgumentException e) {
      throw c.invalid("password-remote-file", e.getMessage() + " (e.g. /home/desk/.vnc/plain)");
    }
  }

  private static Map<String, String> labels(ProviderConfig host) {
    Map<String, String> out = new LinkedHashMap<>();
    ProviderConfig labels = host.section("labels");
    for (String k : labels.keys()) out.put(k, labels.string(k));
    return out;
  }

  private static Optional<URI> endpoint(ProviderConfig c) {
    return c.optionalString("endpoint").map(text -> {
      try {
        URI uri = URI.create(text.strip());
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
          throw new IllegalArgumentException();
        }
        return uri;
      } catch (IllegalArgumentException e) {
        throw c.invalid("endpoint", "expected an http(s) URL, got \"" + text + "\"");
      }
    });
  }

  /** {@code network} / {@code address}: public (default) or private; true for private. */
  private static boolean choice(ProviderConfig c, String key) {
    String v = c.string(key, "public");
    if (!v.equals("public") && !v.equals("private")) {
      throw c.invalid(key, "expected public or private, got \"" + v + "\"");
    }
    return v.equals("private");
  }

  /** Says once, at start-up, which format a VNC password file is in (never the password). */
  private static Path sayFormat(Path file) {
    if (!formatSaid.add(file)) return file;
    try {
      VncPasswordFile.Decoded d = VncPasswordFile.decode(Files.readAllBytes(file));
      log.info("VNC password file {} is in {} format{}", file, d.format().words(),
          d.viewOnlyPassword() ? " (its view-only password is not used)" : "");
    } catch (IOException | IllegalArgumentException e) {
      log.warn("VNC password file {} cannot be used yet ({}): connections that need it fail until it can", file,
          e instanceof NoSuchFileException ? "it does not exist" : e.getMessage());
    }
    return file;
  }

  private static final Set<Path> formatSaid = ConcurrentHashMap.newKeySet();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SettingsReader.class);

  private Path path(String text) {
    return configDir.resolve(text.strip()).normalize();
  }
}
