package io.vncgate.testbeds.kubevirt;

import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What the testbed knows and has seen; read by tests from any thread. */
final class KubeState {
  final Map<String, KubeVmi> vmis = new ConcurrentHashMap<>();
  /** bearer token → user name */
  final Map<String, String> tokens = new ConcurrentHashMap<>();
  /** user name → what the user may do */
  final Map<String, KubeRbac> rbac = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  /** VMI key → VNC upgrades accepted */
  final Map<String, AtomicInteger> vncConnections = new ConcurrentHashMap<>();
  /** VMI key → subprotocol each accepted VNC connection chose (null: none) */
  final Map<String, List<String>> subprotocols = new ConcurrentHashMap<>();
  /** VMI key → the VNC connection open now (the one-session rule keeps at most one) */
  final Map<String, ServerWebSocket> openVnc = new ConcurrentHashMap<>();

  void put(KubeVmi vmi) {
    vmis.put(vmi.key(), vmi);
  }

  List<KubeVmi> vmis() {
    List<KubeVmi> all = new ArrayList<>(vmis.values());
    all.sort((a, b) -> a.key().compareTo(b.key()));
    return all;
  }

  void accepted(String key, String subprotocol) {
    vncConnections.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    subprotocols.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(String.valueOf(subprotocol));
  }
}
