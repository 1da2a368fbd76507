package io.vncgate.gateway.auth;

import io.vncgate.spi.Caller;
import java.util.List;

/** A verified token's bearer: who, which targets (globs), and the highest role. */
public record UserPrincipal(String subject, List<TargetGlob> targets, Role role) {
  public UserPrincipal {
    targets = List.copyOf(targets);
  }

  public boolean mayOpen(String targetId) {
    return TargetGlob.anyMatches(targets, targetId);
  }

  public Caller caller() {
    return new Caller(subject, role.wireName());
  }
}
