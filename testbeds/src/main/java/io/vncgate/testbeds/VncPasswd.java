package io.vncgate.testbeds;

import io.vncgate.testbeds.impl.Launcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * TigerVNC's own {@code vncpasswd -f}: the obfuscated password file Xvnc reads with
 * {@code -rfbauth}, made by the real tool rather than by the code under test.
 */
public final class VncPasswd {
  private VncPasswd() {
  }

  /**
   * Writes what {@code vncpasswd -f} makes of {@code stdin} to {@code file}: the password and a
   * newline, optionally a second line with the view-only password.
   */
  public static Path write(String stdin, Path file) {
    Launcher.runToFile(List.of("vncpasswd", "-f"), stdin, file);
    return file;
  }

  /** The bytes {@code vncpasswd -f} writes for {@code stdin} (see {@link #write}). */
  public static byte[] of(String stdin) {
    Path file = null;
    try {
      file = Files.createTempFile("vncgate-vncpasswd-", ".bin");
      return Files.readAllBytes(write(stdin, file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file
        }
      }
    }
  }
}
