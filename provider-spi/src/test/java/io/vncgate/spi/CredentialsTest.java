package io.vncgate.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CredentialsTest {

  @Test
  void passwordOnHostKeepsAnAbsolutePathAsGiven() {
    assertEquals("/home/desk/.vnc/it's a \"pw\"", new Credentials.VncPasswordOnHost("/home/desk/.vnc/it's a \"pw\"").path());
  }

  @Test
  void passwordOnHostRefusesARelativePathNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Credentials.VncPasswordOnHost(".vnc/plain"));
    assertEquals("a path on the host must be absolute: \".vnc/plain\"", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Credentials.VncPasswordOnHost(""));
    assertThrows(IllegalArgumentException.class, () -> new Credentials.VncPasswordOnHost("~/.vnc/plain"));
  }

  @Test
  void passwordOnHostRefusesNulAndLineBreaksThatNoShellCommandCouldCarry() {
    for (String bad : new String[] {"/tmp/a\nb", "/tmp/a\rb", "/tmp/a\0b"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Credentials.VncPasswordOnHost(bad));
      assertEquals("a path on the host must not contain NUL, CR or LF", e.getMessage());
    }
    assertThrows(NullPointerException.class, () -> new Credentials.VncPasswordOnHost(null));
  }
}
