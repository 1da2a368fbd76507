package io.vncgate.gateway.transport.ssh;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * A read-only known_hosts check: unknown keys go to a reject-all delegate (so nothing is ever
 * appended), a changed key is refused and remembered on the session so the error can say so.
 * MINA re-reads the file when it changes on disk.
 */
final class StrictKnownHosts extends KnownHostsServerKeyVerifier {
  static final org.apache.sshd.common.AttributeRepository.AttributeKey<Boolean> MISMATCH =
      new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

  StrictKnownHosts(Path file) {
    super(RejectAllServerKeyVerifier.INSTANCE, file);
  }

  @Override
  public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
      PublicKey expected, PublicKey actual) {
    session.setAttribute(MISMATCH, Boolean.TRUE);
    return false;
  }

  @Override
  protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey serverKey) {
    return false;
  }
}
