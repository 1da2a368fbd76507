package io.vncgate.providers.ssh.hetzner;

import java.util.List;
import java.util.Map;

/** The fields of a Hetzner Cloud server object that discovery uses. {@code publicIpv4} may be null. */
record HetznerServer(long id, String name, String status, Map<String, String> labels, String publicIpv4,
    List<String> privateIps) {
  HetznerServer {
    labels = Map.copyOf(labels);
    privateIps = List.copyOf(privateIps);
  }
}
