package io.vncgate.gateway.transport.ssh;

import java.nio.file.Path;
import java.security.PublicKey;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Why a server's host key was refused, kept on the session so the failed login can say so.
 *
 * @param hostPort the server as {@code host:port}
 * @param keyType e.g. {@code ssh-ed25519}
 * @param fingerprint the offered key's {@code SHA256:} fingerprint
 * @param mismatch whether known_hosts holds a different key for this host
 * @param knownHosts the known_hosts file in use, or null with pinned keys only
 */
record HostKeyRejection(String hostPort, String keyType, String fingerprint, boolean mismatch, Path knownHosts) {
  static final AttributeKey<HostKeyRejection> ATTRIBUTE = new AttributeKey<>();

  static HostKeyRejection of(String hostPort, PublicKey offered, boolean mismatch, Path knownHosts) {
    return new HostKeyRejection(hostPort, KeyUtils.getKeyType(offered), KeyUtils.getFingerPrint(offered),
        mismatch, knownHosts);
  }

  String message() {
    String offered = "the server offered " + keyType + " key " + fingerprint;
    if (mismatch) {
      return "host key of " + hostPort + " does not match the one in " + knownHosts + ": " + offered
          + ". If the host was reinstalled, check the new key out of band and replace its line in " + knownHosts
          + "; otherwise someone may be intercepting the connection";
    }
    String where = knownHosts != null ? "add it to " + knownHosts : "add its fingerprint to the pinned keys";
    return "host key of " + hostPort + " is not trusted: " + offered + ", which is not "
        + (knownHosts != null ? "in " + knownHosts : "pinned") + "; " + where
        + " after checking it out of band (e.g. ssh-keyscan, then compare with ssh-keygen -lf on the host)";
  }
}
