package io.vncgate.providers.proxmox.api;

import java.util.List;
import java.util.Objects;

/**
 * One QEMU VM or LXC container as {@code /cluster/resources?type=vm} lists it.
 *
 * @param vmid the guest's id, unique in its cluster
 * @param type {@code qemu} or {@code lxc}
 * @param name its name, or null when PVE has none (a node without status data)
 * @param node the node it runs on (or is assigned to)
 * @param status {@code running}, {@code stopped}, or {@code unknown} when its node does not report
 * @param tags its PVE tags
 * @param pool its pool, or null (also when the API user lacks {@code Pool.Audit} on it)
 * @param template whether it is a template (templates have no console)
 */
public record Guest(int vmid, String type, String name, String node, String status, List<String> tags, String pool,
    boolean template) {
  public Guest {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(node, "node");
    status = status == null || status.isBlank() ? "unknown" : status;
    tags = List.copyOf(tags);
  }

  public boolean running() {
    return "running".equals(status);
  }

  /** {@code VM 100} or {@code CT 101}, as the PVE web interface names guests. */
  public String kind() {
    return ("lxc".equals(type) ? "CT " : "VM ") + vmid;
  }

  /** What a PVE admin types to start it. */
  public String startCommand() {
    return ("lxc".equals(type) ? "pct start " : "qm start ") + vmid;
  }
}
