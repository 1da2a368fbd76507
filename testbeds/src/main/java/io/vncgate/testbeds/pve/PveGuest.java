package io.vncgate.testbeds.pve;

import io.vncgate.testbeds.qemu.QemuVncServer;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One guest of the fake cluster: a QEMU VM ({@code type "qemu"}) or a container ({@code "lxc"})
 * on {@code node}, with PVE's {@code status} ({@code running}, {@code stopped}), tags and pool as
 * {@code /cluster/resources} lists them, and the real VNC server its console reaches — null for a
 * guest that is not running.
 *
 * <p>LXC consoles on real PVE are served by {@code vncterm}; here an LXC guest's console is a QEMU
 * VNC server too: the wire (VNC auth with the vncproxy password) is the same.
 */
public record PveGuest(int vmid, String node, String type, String name, String status, List<String> tags,
                       String pool, QemuVncServer console) {

  private static final Set<String> TYPES = Set.of("qemu", "lxc");

  public PveGuest {
    if (vmid < 100 || vmid > 999_999_999) {
      throw new IllegalArgumentException("vmid must be 100..999999999, got " + vmid);
    }
    Objects.requireNonNull(node, "node");
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("type must be qemu or lxc, got " + type);
    }
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    tags = tags == null ? List.of() : List.copyOf(tags);
    if ("running".equals(status) && console == null) {
      throw new IllegalArgumentException("running guest " + vmid + " needs a console (a QemuVncServer)");
    }
  }

  /** A running QEMU VM whose console is {@code console}. */
  public static PveGuest qemu(int vmid, String node, String name, QemuVncServer console) {
    return new PveGuest(vmid, node, "qemu", name, "running", List.of(), null, console);
  }

  /** A running container whose console is {@code console}. */
  public static PveGuest lxc(int vmid, String node, String name, QemuVncServer console) {
    return new PveGuest(vmid, node, "lxc", name, "running", List.of(), null, console);
  }

  /** A stopped QEMU VM: listed, but {@code qm vncproxy} fails on it. */
  public static PveGuest stoppedQemu(int vmid, String node, String name) {
    return new PveGuest(vmid, node, "qemu", name, "stopped", List.of(), null, null);
  }

  /** The same guest with PVE tags ({@code tags: "a;b"} in the API). */
  public PveGuest withTags(String... newTags) {
    return new PveGuest(vmid, node, type, name, status, List.of(newTags), pool, console);
  }

  /** The same guest in a resource pool. */
  public PveGuest inPool(String newPool) {
    return new PveGuest(vmid, node, type, name, status, tags, newPool, console);
  }

  /** The same guest with another status; {@code running} needs a console. */
  public PveGuest withStatus(String newStatus) {
    return new PveGuest(vmid, node, type, name, newStatus, tags, pool, console);
  }

  /** {@code /vms/<vmid>}, the ACL path of the guest. */
  public String aclPath() {
    return "/vms/" + vmid;
  }

  /** {@code nodes/<node>/qemu-server/<vmid>.conf} or {@code nodes/<node>/lxc/<vmid>.conf}. */
  String configPath(String onNode) {
    return "nodes/" + onNode + "/" + ("qemu".equals(type) ? "qemu-server" : "lxc") + "/" + vmid + ".conf";
  }
}
