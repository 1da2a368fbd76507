package io.vncgate.testbeds.docker;

import io.vncgate.testbeds.TestbedException;
import io.vncgate.testbeds.impl.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The docker provider's test desktop: an image of this machine's own Xtigervnc (and its libraries,
 * keymaps, dash and cat), imported with {@code docker import} — no registry is ever contacted.
 * Built once per machine and kept by its tag, which carries a hash of the build script, so a changed
 * recipe builds a new image. About 29 MB, about a second to build.
 *
 * <p>The image's command runs {@code Xtigervnc :0 -rfbport 5900 -SecurityTypes VncAuth
 * -PasswordFile /etc/vnc/passwd -geometry 800x600 -depth 24 -retro}: a container needs the password
 * file put in before it starts ({@link DesktopContainer} does).
 */
public final class DesktopImage {
  private static final String SCRIPT = "build-desktop-image.sh";
  public static final String REPOSITORY = "vncgate-test/desktop";
  public static final int WIDTH = 800;
  public static final int HEIGHT = 600;
  /** Where the image's Xvnc reads its VNC password (TigerVNC's vncpasswd format). */
  public static final String PASSWORD_FILE = "/etc/vnc/passwd";

  private static volatile String built;

  private DesktopImage() {}

  /** The tag of the image, built now if this machine does not have it yet. */
  public static synchronized String ensure() {
    if (built != null) return built;
    String tag = REPOSITORY + ":" + recipeHash();
    if (!present(tag)) {
      // one build per machine, even with test JVMs of several modules at once
      try (FileChannel lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "vncgate-desktop-image.lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = lockFile.lock()) {
        if (!present(tag)) build(tag);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    built = tag;
    return tag;
  }

  private static boolean present(String tag) {
    return Tools.run(Map.of(), null, Duration.ofSeconds(30), List.of("docker", "image", "inspect", tag)).exitCode() == 0;
  }

  private static void build(String tag) throws IOException {
    Path script = Files.createTempFile("vncgate-build-desktop-image-", ".sh");
    try {
      Files.write(script, recipe());
      Tools.Result r = Tools.run(Map.of(), null, Duration.ofMinutes(3), List.of("bash", script.toString(), tag));
      if (r.exitCode() != 0) {
        throw new TestbedException("building the desktop image " + tag + " failed (exit " + r.exitCode() + "): "
            + r.stderr().strip());
      }
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static byte[] recipe() {
    try (InputStream in = DesktopImage.class.getResourceAsStream(SCRIPT)) {
      if (in == null) throw new TestbedException(SCRIPT + " is missing from the testbeds jar");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String recipeHash() {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(recipe());
      return HexFormat.of().formatHex(sha, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
