package io.vncgate.testbeds.kubevirt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one user may do, as the RBAC authorizer decides it: rules of verb, API group, resource
 * (a subresource as {@code virtualmachineinstances/vnc}) and namespace (null: every namespace, as
 * a ClusterRoleBinding grants; a namespaced rule never allows a cluster-scope list).
 */
public final class KubeRbac {
  private record Rule(String verb, String group, String resource, String namespace) {}

  private final List<Rule> rules = new ArrayList<>();

  private KubeRbac() {}

  public static KubeRbac none() {
    return new KubeRbac();
  }

  /** What vncgate needs, cluster-wide: list/get VMIs and get their vnc subresource. */
  public static KubeRbac vncgate() {
    return none().allow("list", "kubevirt.io", "virtualmachineinstances", null)
        .allow("get", "kubevirt.io", "virtualmachineinstances", null)
        .allow("get", "subresources.kubevirt.io", "virtualmachineinstances/vnc", null);
  }

  /** What vncgate needs in these namespaces only (a Role and RoleBinding in each). */
  public static KubeRbac vncgateIn(String... namespaces) {
    KubeRbac rbac = none();
    for (String ns : namespaces) {
      rbac.allow("list", "kubevirt.io", "virtualmachineinstances", ns)
          .allow("get", "kubevirt.io", "virtualmachineinstances", ns)
          .allow("get", "subresources.kubevirt.io", "virtualmachineinstances/vnc", ns);
    }
    return rbac;
  }

  /** Allows {@code verb} on {@code resource} in {@code group}, in {@code namespace} (null: all). */
  public KubeRbac allow(String verb, String group, String resource, String namespace) {
    rules.add(new Rule(Objects.requireNonNull(verb), Objects.requireNonNull(group), Objects.requireNonNull(resource),
        namespace));
    return this;
  }

  /** Whether the request is allowed; {@code namespace} null is a cluster-scope request. */
  boolean allows(String verb, String group, String resource, String namespace) {
    for (Rule r : rules) {
      if (r.verb.equals(verb) && r.group.equals(group) && r.resource.equals(resource)
          && (r.namespace == null || r.namespace.equals(namespace))) {
        return true;
      }
    }
    return false;
  }
}
