package io.vncgate.gateway.transport.ssh;

import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/** Builds the connector's one {@link SshClient}: key auth only, strict host keys, keep-alives. */
final class SshClients {
  private SshClients() {}

  static SshClient create(SshSettings settings) {
    SshClient client = ClientBuilder.builder()
        // never MINA's default (accept all): every session carries its own HostKeyPolicy
        .serverKeyVerifier(HostKeyPolicy::verify)
        // no ~/.ssh/config rewriting of hosts, users or ports
        .hostConfigEntryResolver(HostConfigEntryResolver.EMPTY)
        .build();
    // only the identity files named by the route; no ~/.ssh/id_* and no agent
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, settings.connectTimeout().plusSeconds(5));
    // our own timers fail the login with a clear message; MINA's are a backstop a little later
    CoreModuleProperties.AUTH_TIMEOUT.set(client, settings.authTimeout().plusSeconds(5));
    // the pool closes idle sessions itself; MINA's own idle timeout would cut quiet desktops
    CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
    if (!settings.keepaliveInterval().isZero()) {
      CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.keepaliveInterval());
      CoreModuleProperties.HEARTBEAT_REQUEST.set(client, "keepalive@openssh.com");
      CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, SshSettings.KEEPALIVE_MAX_UNANSWERED);
    }
    client.start();
    return client;
  }
}
