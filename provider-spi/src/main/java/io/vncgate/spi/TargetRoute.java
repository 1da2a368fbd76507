package io.vncgate.spi;

import java.util.Objects;

/** Where a target is, the credentials the gateway uses upstream, and per-target limits. */
public record TargetRoute(Route route, Credentials credentials, Limits limits) {
  public TargetRoute {
    Objects.requireNonNull(route, "route");
    credentials = credentials == null ? new Credentials.None() : credentials;
    limits = limits == null ? Limits.DEFAULTS : limits;
  }

  public TargetRoute(Route route, Credentials credentials) {
    this(route, credentials, Limits.DEFAULTS);
  }
}
