package io.vncgate.providers.proxmox.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code providers.proxmox.clusters}, validated, paths resolved.
 *
 * @param name the cluster's name in target ids ({@code proxmox/<name>/<vmid>})
 * @param key the entry's config key, e.g. {@code providers.proxmox.clusters[0]}, for error messages
 * @param url the API's base, {@code https://host:port} (no path)
 * @param login how the gateway authenticates to the API
 * @param fingerprint the pinned SHA-256 fingerprint of the API certificate ({@code AB:CD:...}), or null
 * @param caFile a PEM file of the CA(s) that signed the API certificate, or null
 * @param tags only guests with at least one of these PVE tags; empty: all
 * @param pools only guests in one of these pools; empty: all
 */
public record ClusterSettings(String name, String key, URI url, Login login, String fingerprint, Path caFile,
    List<String> tags, List<String> pools) {
  public ClusterSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(login, "login");
    tags = List.copyOf(tags);
    pools = List.copyOf(pools);
  }

  /** The key of one of this entry's settings, e.g. {@code providers.proxmox.clusters[0].fingerprint}. */
  public String key(String setting) {
    return key + "." + setting;
  }

  /** How the gateway proves who it is to the PVE API. */
  public sealed interface Login {
    /** The PVE user the gateway acts as, e.g. {@code vncgate@pve} or {@code vncgate@pve!gateway}. */
    String principal();
  }

  /**
   * An API token: {@code Authorization: PVEAPIToken=<tokenId>=<secret>} on every request.
   *
   * @param tokenId {@code user@realm!tokenname}
   * @param secretFile the file holding the token's secret (a UUID), read for every request
   */
  public record Token(String tokenId, Path secretFile) implements Login {
    @Override
    public String principal() {
      return tokenId;
    }
  }

  /**
   * A user and password: a {@code PVEAuthCookie} ticket from {@code POST /access/ticket}, renewed
   * before its two hours are up, and the {@code CSRFPreventionToken} header on POSTs.
   *
   * @param user {@code user@realm}
   * @param passwordFile the file holding the password, read at every login
   */
  public record Password(String user, Path passwordFile) implements Login {
    @Override
    public String principal() {
      return user;
    }
  }
}
