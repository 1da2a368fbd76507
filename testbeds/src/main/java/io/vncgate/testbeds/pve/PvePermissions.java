package io.vncgate.testbeds.pve;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a user or API token may do on guests: {@code VM.Audit} (see it in
 * {@code /cluster/resources}, read its status) and {@code VM.Console} (vncproxy, vncwebsocket) on
 * {@code /vms/<vmid>}. A null set means every guest (the privilege granted on {@code /}).
 */
public record PvePermissions(Set<Integer> audit, Set<Integer> console) {

  public PvePermissions {
    audit = audit == null ? null : Set.copyOf(audit);
    console = console == null ? null : Set.copyOf(console);
  }

  /** {@code Administrator} on {@code /}: everything. */
  public static PvePermissions all() {
    return new PvePermissions(null, null);
  }

  /** {@code PVEVMUser}-like on the given guests: VM.Audit and VM.Console there, nothing elsewhere. */
  public static PvePermissions consoleOn(int... vmids) {
    Set<Integer> set = ids(vmids);
    return new PvePermissions(set, set);
  }

  /** {@code PVEAuditor} on every guest: sees all, opens no console. */
  public static PvePermissions auditOnly() {
    return new PvePermissions(null, Set.of());
  }

  boolean mayAudit(int vmid) {
    return audit == null || audit.contains(vmid);
  }

  boolean mayConsole(int vmid) {
    return console == null || console.contains(vmid);
  }

  private static Set<Integer> ids(int... vmids) {
    return Arrays.stream(vmids).boxed().collect(Collectors.toUnmodifiableSet());
  }
}
