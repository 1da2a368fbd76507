package io.vncgate.gateway.transport.ssh;

import io.vncgate.gateway.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * A private key read from an identity file (OpenSSH or PEM format; ed25519, rsa, ecdsa).
 * Passphrase-protected keys are refused with a clear message: the gateway has nobody to ask.
 * Loading reads files: call it off the event loop.
 */
record Identity(Path file, KeyPair keyPair) {

  String fingerprint() {
    return KeyUtils.getFingerPrint(keyPair.getPublic());
  }

  /** "SHA256:... (id_ed25519)" for messages. */
  String describe() {
    return fingerprint() + " (" + file.getFileName() + ")";
  }

  static List<Identity> load(List<Path> files, String userAtHost) {
    if (files.isEmpty()) {
      throw new TransportException("no SSH identity file is configured for " + userAtHost);
    }
    List<Identity> out = new ArrayList<>();
    for (Path file : files) {
      for (KeyPair pair : read(file)) {
        out.add(new Identity(file, pair));
      }
    }
    return List.copyOf(out);
  }

  private static List<KeyPair> read(Path file) {
    AtomicBoolean encrypted = new AtomicBoolean();
    FilePasswordProvider noPassphrase = (session, resource, retry) -> {
      encrypted.set(true);
      throw new IOException("passphrase needed");
    };
    List<KeyPair> pairs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      Iterable<KeyPair> found = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in,
          noPassphrase);
      if (found != null) found.forEach(pairs::add);
    } catch (NoSuchFileException e) {
      throw new TransportException("SSH identity file " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new TransportException("SSH identity file " + file + " cannot be read: permission denied");
    } catch (Exception e) {
      throw encrypted.get() ? passphraseProtected(file) : unreadable(file);
    }
    if (encrypted.get()) throw passphraseProtected(file);
    if (pairs.isEmpty()) throw unreadable(file);
    return pairs;
  }

  private static TransportException passphraseProtected(Path file) {
    return new TransportException("SSH identity file " + file + " is protected by a passphrase; the gateway"
        + " needs an unencrypted key (e.g. a dedicated key made with ssh-keygen -N '')");
  }

  private static TransportException unreadable(Path file) {
    return new TransportException("SSH identity file " + file
        + " is not a private key the gateway can read (OpenSSH or PEM format; ed25519, rsa or ecdsa)");
  }
}
