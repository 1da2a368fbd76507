package io.vncgate.gateway.auth;

import io.vncgate.spi.Caller;
import java.util.List;

/** A verified token's bearer: who, which targets (globs), the highest role, and whether an operator (admin). */
public record UserPrincipal(String subject, List<TargetGlob> targets, Role role, boolean admin) {
  public UserPrincipal {
    targets = List.copyOf(targets);
  }

  public UserPrincipal(String subject, List<TargetGlob> targets, Role role) {
    this(subject, targets, role, false);
  }

  public boolean mayOpen(String targetId) {
    return TargetGlob.anyMatches(targets, targetId);
  }

  public Caller caller() {
    return new Caller(subject, role.wireName());
  }
}
