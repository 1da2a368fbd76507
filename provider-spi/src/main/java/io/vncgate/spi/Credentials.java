package io.vncgate.spi;

import java.util.Objects;

/** What the gateway authenticates with upstream. Never shown to a user. */
public sealed interface Credentials {

  /** The target offers security type None (or needs nothing from us). */
  record None() implements Credentials {}

  /** Classic VNC authentication. Only the first 8 bytes count (every server truncates). */
  record VncPassword(Secret password) implements Credentials {
    public VncPassword {
      Objects.requireNonNull(password, "password");
    }
  }

  /** User and password (VeNCrypt Plain and similar). */
  record UserPassword(String user, Secret password) implements Credentials {
    public UserPassword {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }
  }
}
