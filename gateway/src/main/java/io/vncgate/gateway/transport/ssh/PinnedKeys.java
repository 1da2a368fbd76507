package io.vncgate.gateway.transport.ssh;

import io.vncgate.gateway.transport.TransportException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Host keys trusted for one hop without a known_hosts file: OpenSSH public key lines
 * ({@code ssh-ed25519 AAAA... comment}) or {@code SHA256:} fingerprints as {@code ssh-keygen -lf} prints them.
 */
final class PinnedKeys {
  private final List<PublicKey> keys;
  private final List<String> fingerprints;

  private PinnedKeys(List<PublicKey> keys, List<String> fingerprints) {
    this.keys = keys;
    this.fingerprints = fingerprints;
  }

  static PinnedKeys parse(List<String> pinned) {
    List<PublicKey> keys = new ArrayList<>();
    List<String> fingerprints = new ArrayList<>();
    for (String raw : pinned) {
      String entry = raw.strip();
      if (entry.regionMatches(true, 0, "SHA256:", 0, 7)) {
        fingerprints.add("SHA256:" + stripPadding(entry.substring(7)));
        continue;
      }
      try {
        keys.add(PublicKeyEntry.parsePublicKeyEntry(entry).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING));
      } catch (Exception e) {
        throw new TransportException("pinned SSH host key \"" + shorten(entry)
            + "\" is neither an OpenSSH public key line nor a SHA256: fingerprint");
      }
    }
    return new PinnedKeys(List.copyOf(keys), List.copyOf(fingerprints));
  }

  boolean isEmpty() {
    return keys.isEmpty() && fingerprints.isEmpty();
  }

  boolean matches(PublicKey offered) {
    if (keys.stream().anyMatch(k -> KeyUtils.compareKeys(k, offered))) return true;
    String fp = KeyUtils.getFingerPrint(offered);
    return fp != null && fingerprints.contains(fp);
  }

  private static String stripPadding(String b64) {
    String s = b64.strip();
    while (s.endsWith("=")) s = s.substring(0, s.length() - 1);
    return s;
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
