package io.vncgate.providers.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Secret;
import io.vncgate.testbeds.VncPasswd;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vnc.password-file in both formats: text, and the file TigerVNC's own vncpasswd writes. */
class VncPasswordFormatsTest {
  @TempDir Path dir;

  @Test
  void theFileVncpasswdWritesGivesThePassword() throws Exception {
    Path file = VncPasswd.write("box-pw1\n", dir.resolve("passwd"));
    assertEquals(8, Files.size(file));
    Credentials c = VncPasswords.read(file, "ssh/box1");
    assertEquals(Secret.of("box-pw1"), assertInstanceOf(Credentials.VncPassword.class, c).password());
  }

  @Test
  void textIsTheFirstLineAndAnEmptyFileIsNamedWithoutAJavaClassName() throws Exception {
    Path text = Files.writeString(dir.resolve("plain"), "s3cret\r\n");
    assertEquals(Secret.of("s3cret"), ((Credentials.VncPassword) VncPasswords.read(text, "ssh/box1")).password());
    Path empty = Files.writeString(dir.resolve("empty"), "");
    ProviderException e = assertThrows(ProviderException.class, () -> VncPasswords.read(empty, "ssh/box1"));
    assertEquals(ProviderException.Kind.MISCONFIGURED, e.kind());
    assertEquals("VNC password file " + empty + " for ssh/box1: its first line is empty", e.getMessage());
    ProviderException missing = assertThrows(ProviderException.class, () -> VncPasswords.read(dir.resolve("nope"), "ssh/box1"));
    assertFalse(missing.getMessage().contains("Exception"), missing.getMessage());
  }
}
