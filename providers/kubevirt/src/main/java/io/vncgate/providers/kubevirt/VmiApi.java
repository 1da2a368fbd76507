package io.vncgate.providers.kubevirt;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.List;
import java.util.Optional;

/**
 * The two kube API calls the provider makes, through fabric8 with the JDK HTTP client: list the
 * VMIs (of a namespace or of all) by the label selector, and get one. Blocking: called on the
 * provider's threads only. No API discovery: the resource is named here.
 */
final class VmiApi implements AutoCloseable {
  static final ResourceDefinitionContext VMIS = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance")
      .withPlural("virtualmachineinstances").withNamespaced(true).build();

  private final KubernetesClient client;

  VmiApi(ClusterAccess access) {
    this.client = new KubernetesClientBuilder().withConfig(access.config())
        .withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  /** The VMIs of {@code namespace} (null: every namespace) that match {@code labelSelector} (null: all). */
  List<Vmi> list(String namespace, String labelSelector) {
    var resources = client.genericKubernetesResources(VMIS);
    var scoped = namespace == null ? resources.inAnyNamespace() : resources.inNamespace(namespace);
    var selected = labelSelector == null ? scoped : scoped.withLabelSelector(labelSelector);
    return selected.list().getItems().stream().map(Vmi::of).toList();
  }

  /** One VMI, or empty when there is none of that name. */
  Optional<Vmi> get(String namespace, String name) {
    GenericKubernetesResource r = client.genericKubernetesResources(VMIS).inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(r).map(Vmi::of);
  }

  @Override
  public void close() {
    client.close();
  }
}
