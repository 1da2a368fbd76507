package io.vncgate.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * packaging/kubernetes rendered by kustomize (`kubectl kustomize`, no cluster needed) and read back:
 * the probes, ports, mounts and security settings must fit the gateway config it carries.
 */
@Timeout(120)
class KubernetesManifestsIT {
  private static final YAMLMapper YAML = new YAMLMapper();
  static Map<String, JsonNode> byKind = new HashMap<>();
  static JsonNode config;
  static JsonNode pod;
  static JsonNode container;

  @BeforeAll
  static void render() throws Exception {
    Path kubectl = List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl").stream().map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    if (kubectl == null) System.out.println("KubernetesManifestsIT skipped: no kubectl (Debian package kubernetes-client, see .ci/install-deps)");
    assumeTrue(kubectl != null, "kubectl is not installed");
    // the manifests as shipped in the tarball (the same files as packaging/kubernetes)
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(60),
        List.of(kubectl.toString(), "kustomize", Release.home().resolve("kubernetes").toString()));
    assertEquals(0, r.exitCode(), r.stderr());
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(r.stdout())) {
      for (JsonNode doc : docs.readAll()) {
        assertTrue(byKind.put(doc.path("kind").asText(), doc) == null, "one " + doc.path("kind").asText());
      }
    }
    assertEquals(List.of("ConfigMap", "Deployment", "Service"), byKind.keySet().stream().sorted().toList());
    config = YAML.readTree(byKind.get("ConfigMap").path("data").path("vncgate.yaml").asText());
    pod = byKind.get("Deployment").path("spec").path("template").path("spec");
    assertEquals(1, pod.path("containers").size());
    container = pod.path("containers").get(0);
  }

  private static int containerPort(String name) {
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(name)) return p.path("containerPort").asInt();
    }
    throw new AssertionError("no container port named " + name + ": " + container.path("ports"));
  }

  @Test
  void probesAskTheGatewaysHealthAndReadinessOnItsHttpPort() {
    int http = config.path("server").path("port").asInt(6080);
    assertEquals(http, containerPort("http"), "containerPort http = server.port");
    assertEquals(config.path("server").path("tcp").path("port").asInt(6900), containerPort("vnc"), "containerPort vnc = server.tcp.port");
    for (String probe : List.of("livenessProbe", "startupProbe")) {
      assertEquals("/healthz", container.path(probe).path("httpGet").path("path").asText(), probe);
      assertEquals("http", container.path(probe).path("httpGet").path("port").asText(), probe);
    }
    assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("http", container.path("readinessProbe").path("httpGet").path("port").asText());
    // probes come from the kubelet, outside the pod: the gateway must listen on all addresses, over plain HTTP
    assertEquals("0.0.0.0", config.path("server").path("host").asText());
    assertTrue(config.path("server").path("tls").isMissingNode(), "with server.tls the probes need scheme: HTTPS");
  }

  @Test
  void theServiceReachesBothFronts() {
    JsonNode service = byKind.get("Service").path("spec");
    Map<String, String> targets = new HashMap<>();
    for (JsonNode p : service.path("ports")) targets.put(p.path("name").asText(), p.path("targetPort").asText());
    assertEquals(Map.of("http", "http", "vnc", "vnc"), targets);
    JsonNode podLabels = byKind.get("Deployment").path("spec").path("template").path("metadata").path("labels");
    service.path("selector").fields().forEachRemaining(e -> assertEquals(e.getValue(), podLabels.path(e.getKey()), e.getKey()));
    assertTrue(service.path("selector").size() > 0, "a selector");
  }

  @Test
  void theConfigAndTheSecretAreMountedWhereTheGatewayLooks() {
    String configPath = null;
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals("VNCGATE_CONFIG")) configPath = e.path("value").asText();
    }
    assertEquals("/etc/vncgate/vncgate.yaml", configPath);
    Map<String, String> mounts = new HashMap<>();
    for (JsonNode m : container.path("volumeMounts")) mounts.put(m.path("name").asText(), m.path("mountPath").asText());
    Map<String, JsonNode> volumes = new HashMap<>();
    for (JsonNode v : pod.path("volumes")) volumes.put(v.path("name").asText(), v);
    // the generated ConfigMap's name carries a hash; the volume must name that very map
    String mapName = byKind.get("ConfigMap").path("metadata").path("name").asText();
    assertTrue(mapName.matches("vncgate-config-[a-z0-9]{10}"), mapName);
    String configVolume = volumes.entrySet().stream().filter(e -> e.getValue().path("configMap").path("name").asText().equals(mapName))
        .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("no volume of " + mapName));
    assertEquals("/etc/vncgate", mounts.get(configVolume));
    String secretFile = config.path("auth").path("jwt").path("secret-file").asText();
    String secretVolume = volumes.entrySet().stream().filter(e -> e.getValue().has("secret")).map(Map.Entry::getKey)
        .findFirst().orElseThrow();
    assertEquals(mounts.get(secretVolume) + "/jwt.key", secretFile, "auth.jwt.secret-file is the Secret's key jwt.key");
    assertTrue(volumes.get(mounts.entrySet().stream().filter(e -> e.getValue().equals("/tmp")).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new AssertionError("no /tmp mount"))).has("emptyDir"), "/tmp is an emptyDir");
  }

  @Test
  void itRunsUnprivilegedOnAReadOnlyRootAndDrainsBeforeTheKill() {
    JsonNode podSc = pod.path("securityContext");
    JsonNode sc = container.path("securityContext");
    assertTrue(podSc.path("runAsNonRoot").asBoolean(), "runAsNonRoot");
    assertTrue(podSc.path("runAsUser").asInt() > 0, "runAsUser");
    assertEquals("RuntimeDefault", podSc.path("seccompProfile").path("type").asText());
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(), "readOnlyRootFilesystem");
    assertTrue(sc.has("allowPrivilegeEscalation") && !sc.path("allowPrivilegeEscalation").asBoolean(), "allowPrivilegeEscalation: false");
    List<String> dropped = new ArrayList<>();
    sc.path("capabilities").path("drop").forEach(c -> dropped.add(c.asText()));
    assertEquals(List.of("ALL"), dropped);
    long drain = java.time.Duration.parse("PT" + config.path("server").path("drain-timeout").asText("30s").toUpperCase()).toSeconds();
    assertTrue(pod.path("terminationGracePeriodSeconds").asLong() > drain, "the pod is killed only after server.drain-timeout");
    assertEquals(1, byKind.get("Deployment").path("spec").path("replicas").asInt(), "tickets live in one gateway's memory");
  }
}
