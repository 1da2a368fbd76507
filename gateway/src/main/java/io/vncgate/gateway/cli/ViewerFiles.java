package io.vncgate.gateway.cli;

import io.vncgate.gateway.rfb.VncAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Comparator;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The files that give a local viewer the ticket without a command line: a folder only this user can
 * enter, and in it a virt-viewer connection file ({@code .vv}) or a TigerVNC password file, each
 * readable by this user only, removed when the bridge ends.
 */
final class ViewerFiles implements AutoCloseable {
  /** The fixed key with which VNC viewers obfuscate a stored password (vncpasswd's format). */
  private static final byte[] OBFUSCATION_KEY = {23, 82, 107, 6, 35, 78, 88, 7};

  final Path dir;

  private ViewerFiles(Path dir) {
    this.dir = dir;
  }

  /** A new private folder in $XDG_RUNTIME_DIR, else the temp folder. */
  static ViewerFiles create() throws IOException {
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    Path base = runtime != null && Files.isDirectory(Path.of(runtime)) ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
    Path dir = posix()
        ? Files.createTempDirectory(base, "vncgate-bridge-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
        : Files.createTempDirectory(base, "vncgate-bridge-");
    return new ViewerFiles(dir);
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private Path privateFile(String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    if (posix()) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    Files.write(file, content);
    return file;
  }

  /** A virt-viewer file for remote-viewer: VNC on 127.0.0.1:{@code port}, the ticket its password, deleted once read. */
  Path virtViewerFile(String title, int port, String ticket) throws IOException {
    String vv = "[virt-viewer]\n"
        + "type=vnc\n"
        + "host=127.0.0.1\n"
        + "port=" + port + "\n"
        + "password=" + ticket + "\n"
        + "delete-this-file=1\n"
        + "title=" + title.replaceAll("[\\r\\n]", " ") + "\n";
    return privateFile("connection.vv", vv.getBytes(StandardCharsets.UTF_8));
  }

  /** A TigerVNC password file ({@code vncviewer -passwd FILE}): the ticket's first 8 characters, obfuscated as vncpasswd does. */
  Path tigerVncPasswordFile(String ticket) throws IOException {
    return privateFile("passwd", obfuscated(ticket));
  }

  /** vncpasswd's format: the password's first 8 bytes (zero-padded), DES-encrypted with a fixed, public key. */
  static byte[] obfuscated(String password) {
    byte[] plain = Arrays.copyOf(password.getBytes(StandardCharsets.ISO_8859_1), 8);
    byte[] key = VncAuth.desKey(OBFUSCATION_KEY); // the bit order every VNC DES uses
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
      return des.doFinal(plain);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES is not available in this JDK: " + e.getMessage(), e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Removes the folder and whatever is left in it. */
  @Override
  public void close() {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: the folder is private and the ticket used or expired
        }
      });
    } catch (IOException e) {
      // already gone
    }
  }
}
