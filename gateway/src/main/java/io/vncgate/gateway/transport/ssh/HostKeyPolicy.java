package io.vncgate.gateway.transport.ssh;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;

/**
 * What one hop trusts: its known_hosts file and/or pinned keys. Travels with the connect request
 * (MINA's connection context) so the client's single verifier applies the right policy to each
 * session. Nothing is ever auto-accepted.
 */
final class HostKeyPolicy {
  static final AttributeKey<HostKeyPolicy> ATTRIBUTE = new AttributeKey<>();

  private final String hostPort;
  private final Path knownHostsFile;
  private final StrictKnownHosts knownHosts;
  private final PinnedKeys pinned;

  HostKeyPolicy(String hostPort, Path knownHostsFile, StrictKnownHosts knownHosts, PinnedKeys pinned) {
    this.hostPort = hostPort;
    this.knownHostsFile = knownHostsFile;
    this.knownHosts = knownHosts;
    this.pinned = pinned;
  }

  /** The client-wide verifier: looks up the policy the session was opened with; none means refuse. */
  static boolean verify(ClientSession session, SocketAddress remote, PublicKey offered) {
    HostKeyPolicy policy = session.getConnectionContext() == null ? null
        : session.getConnectionContext().getAttribute(ATTRIBUTE);
    return policy != null && policy.accepts(session, remote, offered);
  }

  boolean accepts(ClientSession session, SocketAddress remote, PublicKey offered) {
    if (pinned.matches(offered)) return true;
    if (knownHosts != null && knownHosts.verifyServerKey(session, remote, offered)) return true;
    boolean mismatch = Boolean.TRUE.equals(session.getAttribute(StrictKnownHosts.MISMATCH));
    session.setAttribute(HostKeyRejection.ATTRIBUTE, HostKeyRejection.of(hostPort, offered, mismatch, knownHostsFile));
    return false;
  }
}
