package io.vncgate.providers.ssh.hetzner;

import io.vncgate.providers.ssh.Discovery;
import io.vncgate.providers.ssh.SshHost;
import io.vncgate.providers.ssh.config.HetznerSettings;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running Hetzner Cloud servers matching the label selector, as {@code ssh/hetzner/<server name>},
 * reached on their public IPv4 (or first private network address). The token file is read for
 * every request (off the caller's thread), so a rotated token is picked up.
 */
public final class HetznerDiscovery implements Discovery {
  private static final Logger log = LoggerFactory.getLogger(HetznerDiscovery.class);

  private final HetznerSettings settings;
  private final Executor files;
  private final HetznerClient client;

  public HetznerDiscovery(HetznerSettings settings, Executor files) {
    this.settings = settings;
    this.files = files;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(files).build();
    this.client = new HetznerClient(http, settings.endpoint());
  }

  @Override
  public String name() {
    return "hetzner";
  }

  @Override
  public CompletableFuture<List<SshHost>> hosts() {
    return CompletableFuture.supplyAsync(this::token, files)
        .thenCompose(token -> client.servers(token, settings.labelSelector()))
        .thenApply(this::toHosts);
  }

  private String token() {
    try {
      String token = Files.readString(settings.tokenFile(), StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new ProviderException(Kind.MISCONFIGURED, "Hetzner Cloud token file " + settings.tokenFile() + " is empty");
      }
      return token;
    } catch (NoSuchFileException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "Hetzner Cloud token file " + settings.tokenFile()
          + " does not exist");
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "Hetzner Cloud token file " + settings.tokenFile()
          + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  private List<SshHost> toHosts(List<HetznerServer> servers) {
    List<SshHost> out = new ArrayList<>();
    for (HetznerServer s : servers) {
      if (!"running".equals(s.status())) continue;
      String address = settings.privateNetwork()
          ? s.privateIps().stream().findFirst().orElse(null) : s.publicIpv4();
      if (address == null) {
        log.debug("Hetzner server {} has no {} address; not listed", s.name(),
            settings.privateNetwork() ? "private network" : "public IPv4");
        continue;
      }
      out.add(new SshHost("ssh/hetzner/" + s.name(), s.name(), s.labels(), address, settings.access()));
    }
    return List.copyOf(out);
  }
}
