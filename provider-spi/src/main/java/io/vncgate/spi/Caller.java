package io.vncgate.spi;

import java.util.Objects;

/**
 * Who is asking: the token's subject and its highest role ({@code control} or {@code view}).
 */
public record Caller(String subject, String role) {
  public Caller {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(role, "role");
  }
}
