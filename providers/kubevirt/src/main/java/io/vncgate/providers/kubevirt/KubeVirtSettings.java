package io.vncgate.providers.kubevirt;

import io.vncgate.spi.ProviderConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code providers.kubevirt}, read and checked once at start.
 *
 * @param kubeconfig the kubeconfig file, or null for the in-cluster service account
 * @param context the kubeconfig context to use, or null for its {@code current-context}
 * @param namespaces the namespaces to offer VMIs of; empty: every namespace the account may list
 * @param labelSelector an equality-based label selector ({@code k=v}, {@code k!=v}, {@code k},
 *     {@code !k}, joined by commas), or null for every VMI
 */
record KubeVirtSettings(Path kubeconfig, String context, List<String> namespaces, String labelSelector,
                        ProviderConfig config) {
  /** A DNS-1123 label: what a namespace name is. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  static KubeVirtSettings read(ProviderConfig config, Path configDirectory) {
    config.onlyKeys("kubeconfig", "context", "namespaces", "label-selector");
    Path kubeconfig = config.optionalString("kubeconfig").map(configDirectory::resolve).orElse(null);
    String context = config.optionalString("context").orElse(null);
    List<String> namespaces = config.has("namespaces") ? config.strings("namespaces") : List.of();
    for (String ns : namespaces) {
      if (ns.length() > 63 || !NAMESPACE.matcher(ns).matches()) {
        throw config.invalid("namespaces", "\"" + ns + "\" is not a namespace name (lower-case letters, digits and"
            + " '-', at most 63)");
      }
    }
    String selector = config.optionalString("label-selector").map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    if (selector != null) {
      try {
        Selector.parse(selector);
      } catch (IllegalArgumentException e) {
        throw config.invalid("label-selector", e.getMessage());
      }
    }
    return new KubeVirtSettings(kubeconfig, context, List.copyOf(namespaces), selector, config);
  }

  String key(String name) {
    return config.key(name);
  }
}
