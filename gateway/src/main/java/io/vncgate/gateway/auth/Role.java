package io.vncgate.gateway.auth;

import java.util.Locale;
import java.util.Optional;

/** What a viewer may do. {@code CONTROL} includes everything {@code VIEW} may. */
public enum Role {
  VIEW,
  CONTROL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean allows(Role wanted) {
    return compareTo(wanted) >= 0;
  }

  public static Optional<Role> parse(String text) {
    if (text == null) return Optional.empty();
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "view" -> Optional.of(VIEW);
      case "control" -> Optional.of(CONTROL);
      default -> Optional.empty();
    };
  }
}
