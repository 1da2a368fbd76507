package io.vncgate.testbeds.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a tool writes into the gateway's {@code vncgate.yaml}: both fronts on loopback, an HS256 key,
 * static targets on loopback, and the few server and auth settings a tool changes. The YAML is
 * made in {@link #yaml(int, int)} only, so a new key a tool needs goes in one place.
 */
final class GatewaySetup {
  /** One static target, {@code static/<id>}; {@code passwordFile} null for a target without VNC auth. */
  record Target(String id, String name, int port, Path passwordFile) {
    String ref() {
      return "static/" + id;
    }
  }

  private final String writtenBy;
  private final List<Target> targets = new ArrayList<>();
  private final List<String> serverLines = new ArrayList<>();
  private final List<String> sessionLines = new ArrayList<>();
  private String upstream;
  private String ticketTtl = "10m";

  /** @param writtenBy the tool, for the file's first comment, e.g. "the benchmark (testbeds/bench/run)" */
  GatewaySetup(String writtenBy) {
    this.writtenBy = writtenBy;
  }

  GatewaySetup target(Target t) {
    targets.add(t);
    return this;
  }

  /** {@code auth.tickets.ttl}, e.g. "5s". */
  GatewaySetup ticketTtl(String ttl) {
    this.ticketTtl = ttl;
    return this;
  }

  /** One more {@code server:} key, e.g. {@code "zero-copy: always"} or {@code "handshake-timeout: 5s"}. */
  GatewaySetup server(String keyAndValue) {
    serverLines.add(keyAndValue);
    return this;
  }

  /** One {@code sessions:} key, e.g. {@code "sharing: {\"static/xvnc\": fan-out}"} (none: the section is left out). */
  GatewaySetup sessions(String keyAndValue) {
    sessionLines.add(keyAndValue);
    return this;
  }

  /**
   * {@code limits.upstream}, a flow map, e.g. {@code "{handshakes-per-target: 64, blacklist-threshold: 0}"}
   * for targets that are no TigerVNC (no blacklist, a long accept backlog); null: the gateway's defaults.
   */
  GatewaySetup upstream(String flowMap) {
    this.upstream = flowMap;
    return this;
  }

  List<Target> targets() {
    return List.copyOf(targets);
  }

  /** The config text; the JWT key is read from {@code jwt.key} beside it. */
  String yaml(int httpPort, int tcpPort) {
    List<String> lines = new ArrayList<>(List.of(
        "# written by " + writtenBy,
        "server:",
        "  host: 127.0.0.1",
        "  port: " + httpPort,
        "  allowed-origins: [\"http://127.0.0.1:" + httpPort + "\"]",
        "  tcp: {enabled: true, host: 127.0.0.1, port: " + tcpPort + "}"));
    for (String s : serverLines) lines.add("  " + s);
    lines.addAll(List.of(
        "auth:",
        "  jwt: {algorithm: HS256, secret-file: jwt.key, issuer: vncgate, audience: vncgate}",
        "  tickets: {ttl: " + ticketTtl + "}",
        "# every viewer of a tool comes from 127.0.0.1 as one user: the per-address and per-user caps",
        "# would refuse most of them (limits.* in docs/configuration.md); and the default cap on all",
        "# connections (half the open-file limit less 256) counts two sockets a viewer, where a fan-out",
        "# viewer holds one: the bench itself opens no more idle viewers than each process's open files fit",
        "limits:",
        "  connections: {max: 20000, per-address: 20000}",
        "  tickets: {per-user: 100000}"));
    if (upstream != null) lines.add("  upstream: " + upstream);
    if (!sessionLines.isEmpty()) {
      lines.add("sessions:");
      for (String s : sessionLines) lines.add("  " + s);
    }
    lines.addAll(List.of(
        "providers:",
        "  static:",
        "    targets:"));
    for (Target t : targets) {
      lines.add("      - id: " + t.id());
      lines.add("        name: " + t.name());
      lines.add("        host: 127.0.0.1");
      lines.add("        port: " + t.port());
      if (t.passwordFile() != null) lines.add("        password-file: " + t.passwordFile().toAbsolutePath());
    }
    lines.add("");
    return String.join("\n", lines);
  }
}
