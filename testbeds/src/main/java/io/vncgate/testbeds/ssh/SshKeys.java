package io.vncgate.testbeds.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/** Key pairs for tests: generate them and write them the way {@code ssh-keygen} does. */
public final class SshKeys {

  /** The key types tests use. */
  public enum Type {
    ED25519(KeyPairProvider.SSH_ED25519, 256),
    RSA(KeyPairProvider.SSH_RSA, 2048),
    ECDSA(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);

    private final String sshName;
    private final int bits;

    Type(String sshName, int bits) {
      this.sshName = sshName;
      this.bits = bits;
    }
  }

  private SshKeys() {}

  public static KeyPair generate(Type type) {
    try {
      return KeyUtils.generateKeyPair(type.sshName, type.bits);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key pair", e);
    }
  }

  /** Writes an unencrypted OpenSSH private key file ({@code -----BEGIN OPENSSH PRIVATE KEY-----}). */
  public static Path writePrivateKey(KeyPair pair, Path file) {
    return write(pair, file, null);
  }

  /** Writes a passphrase-protected OpenSSH private key file (aes256-ctr, bcrypt KDF). */
  public static Path writeEncryptedPrivateKey(KeyPair pair, Path file, String passphrase) {
    OpenSSHKeyEncryptionContext options = new OpenSSHKeyEncryptionContext();
    options.setCipherType("256");
    options.setPassword(passphrase);
    return write(pair, file, options);
  }

  /** The OpenSSH public key line, e.g. {@code ssh-ed25519 AAAAC3Nz...}. */
  public static String publicKeyLine(PublicKey key) {
    return PublicKeyEntry.toString(key);
  }

  /** The OpenSSH fingerprint, e.g. {@code SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU}. */
  public static String fingerprint(PublicKey key) {
    return KeyUtils.getFingerPrint(key);
  }

  private static Path write(KeyPair pair, Path file, OpenSSHKeyEncryptionContext options) {
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "vncgate-test", options, out);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode key " + file, e);
    }
  }
}
