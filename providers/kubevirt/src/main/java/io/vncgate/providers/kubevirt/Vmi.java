package io.vncgate.providers.kubevirt;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;

/** What the provider reads of a {@code kubevirt.io/v1} VirtualMachineInstance. */
record Vmi(String namespace, String name, String phase, String node, Map<String, String> labels) {
  Vmi {
    phase = phase == null || phase.isBlank() ? "Unknown" : phase;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  static Vmi of(GenericKubernetesResource r) {
    Map<String, Object> props = r.getAdditionalProperties();
    String phase = null;
    String node = null;
    if (props.get("status") instanceof Map<?, ?> status) {
      phase = status.get("phase") instanceof String p ? p : null;
      node = status.get("nodeName") instanceof String n ? n : null;
    }
    return new Vmi(r.getMetadata().getNamespace(), r.getMetadata().getName(), phase, node, r.getMetadata().getLabels());
  }

  String key() {
    return namespace + "/" + name;
  }

  String targetId() {
    return "kubevirt/" + namespace + "/" + name;
  }
}
