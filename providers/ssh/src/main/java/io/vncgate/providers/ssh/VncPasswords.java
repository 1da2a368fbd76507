package io.vncgate.providers.ssh;

import io.vncgate.providers.ssh.config.VncEndpoint;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.VncPasswordFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a VNC password file at resolve time; the value never reaches a message or a log. */
final class VncPasswords {
  private VncPasswords() {}

  /** A file on the host is only named here: the gateway reads it over SSH for each connection. */
  static Credentials of(VncEndpoint vnc, String targetId) {
    if (vnc.passwordRemoteFile() != null) return new Credentials.VncPasswordOnHost(vnc.passwordRemoteFile());
    return read(vnc.passwordFile(), targetId);
  }

  static Credentials read(Path file, String targetId) {
    if (file == null) return new Credentials.None();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "VNC password file " + file + " for " + targetId
          + " does not exist");
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "VNC password file " + file + " for " + targetId
          + " cannot be read" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    try {
      // plain text (first line) or the obfuscated file TigerVNC's vncpasswd writes
      return new Credentials.VncPassword(VncPasswordFile.decode(bytes).password());
    } catch (IllegalArgumentException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "VNC password file " + file + " for " + targetId + ": " + e.getMessage());
    }
  }
}
