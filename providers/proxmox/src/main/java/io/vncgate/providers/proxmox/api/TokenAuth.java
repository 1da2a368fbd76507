package io.vncgate.providers.proxmox.api;

import io.vncgate.providers.proxmox.config.ClusterSettings;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code Authorization: PVEAPIToken=<user@realm!name>=<secret>}. The secret file is read for
 * every call (off the caller's thread), so a new secret is used without a restart.
 */
final class TokenAuth implements PveAuth {
  private final ClusterSettings cluster;
  private final ClusterSettings.Token token;
  private final Executor files;

  TokenAuth(ClusterSettings cluster, ClusterSettings.Token token, Executor files) {
    this.cluster = cluster;
    this.token = token;
    this.files = files;
  }

  @Override
  public CompletableFuture<ApiAuth> current() {
    return CompletableFuture.supplyAsync(() -> new ApiAuth("Authorization",
        Secret.of("PVEAPIToken=" + token.tokenId() + "=" + read()), null), files);
  }

  private String read() {
    try {
      String secret = Files.readString(token.secretFile(), StandardCharsets.UTF_8).strip();
      if (secret.isEmpty()) {
        throw new ProviderException(Kind.MISCONFIGURED, "the API token secret file " + token.secretFile() + " ("
            + cluster.key("token-secret-file") + ") is empty");
      }
      return secret;
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "the API token secret file " + token.secretFile() + " ("
          + cluster.key("token-secret-file") + ") cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
