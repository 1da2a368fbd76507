package io.vncgate.testbeds.kubevirt;

import io.vncgate.testbeds.qemu.QemuVncServer;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code VirtualMachineInstance} of the testbed: where it is, its phase and labels, and the
 * real QEMU VNC server behind its {@code vnc} subresource (null: no console, e.g. a VMI still
 * {@code Scheduling}).
 */
public record KubeVmi(String namespace, String name, String phase, String node, Map<String, String> labels,
                      QemuVncServer console) {
  public KubeVmi {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(phase, "phase");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** A {@code Running} VMI on {@code node01} whose console is this QEMU. */
  public static KubeVmi running(String namespace, String name, QemuVncServer console) {
    return new KubeVmi(namespace, name, "Running", "node01", Map.of(), Objects.requireNonNull(console, "console"));
  }

  /** A VMI in another phase ({@code Pending}, {@code Scheduling}, {@code Scheduled}, {@code Succeeded}, {@code Failed}). */
  public static KubeVmi inPhase(String namespace, String name, String phase) {
    return new KubeVmi(namespace, name, phase, "Scheduling".equals(phase) || "Pending".equals(phase) ? null : "node01",
        Map.of(), null);
  }

  public KubeVmi withLabels(Map<String, String> labels) {
    return new KubeVmi(namespace, name, phase, node, labels, console);
  }

  public KubeVmi withPhase(String phase) {
    return new KubeVmi(namespace, name, phase, node, labels, console);
  }

  String key() {
    return namespace + "/" + name;
  }
}
