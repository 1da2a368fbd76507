package io.vncgate.testbeds.pve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What the fake cluster knows and remembers; shared by the event loop and the test thread. */
final class PveState {

  /** A user (password) or an API token (secret) and what it may do. */
  record Principal(String secret, PvePermissions permissions) {
  }

  private final String apiNode;
  private final Map<Integer, PveGuest> guests = new ConcurrentHashMap<>();
  private final Map<String, Principal> tokens;
  private final Map<String, Principal> users;
  private final Set<String> offlineNodes;
  private final long unauthorizedDelayMillis;
  private final PveTickets tickets = new PveTickets();
  private final VncProxyWorkers workers;
  private final List<PveCall> calls = new CopyOnWriteArrayList<>();
  private final AtomicLong clockOffsetMillis = new AtomicLong();
  private final AtomicLong consoleHoldMillis = new AtomicLong();
  private final AtomicLong lateByMillis = new AtomicLong();
  private final AtomicInteger lateConsoles = new AtomicInteger();
  private final AtomicInteger liveConsoles = new AtomicInteger();
  private final AtomicLong consolePings = new AtomicLong();
  private volatile String caPem = "";

  PveState(String apiNode, List<PveGuest> guests, Map<String, Principal> tokens, Map<String, Principal> users,
           Set<String> offlineNodes, long unauthorizedDelayMillis) {
    this.apiNode = apiNode;
    guests.forEach(g -> this.guests.put(g.vmid(), g));
    this.tokens = Map.copyOf(tokens);
    this.users = Map.copyOf(users);
    this.offlineNodes = Set.copyOf(offlineNodes);
    this.unauthorizedDelayMillis = unauthorizedDelayMillis;
    this.workers = new VncProxyWorkers(apiNode);
  }

  String apiNode() {
    return apiNode;
  }

  List<PveGuest> guests() {
    List<PveGuest> list = new ArrayList<>(guests.values());
    list.sort(Comparator.comparingInt(PveGuest::vmid));
    return list;
  }

  PveGuest guest(int vmid) {
    return guests.get(vmid);
  }

  void putGuest(PveGuest guest) {
    guests.put(guest.vmid(), guest);
  }

  Set<String> nodes() {
    Set<String> nodes = new TreeSet<>(offlineNodes);
    nodes.add(apiNode);
    guests.values().forEach(g -> nodes.add(g.node()));
    return nodes;
  }

  Map<String, Principal> tokens() {
    return tokens;
  }

  Map<String, Principal> users() {
    return users;
  }

  Set<String> offlineNodes() {
    return offlineNodes;
  }

  long unauthorizedDelayMillis() {
    return unauthorizedDelayMillis;
  }

  PveTickets tickets() {
    return tickets;
  }

  VncProxyWorkers workers() {
    return workers;
  }

  String caPem() {
    return caPem;
  }

  void caPem(String pem) {
    this.caPem = pem;
  }

  long nowMillis() {
    return System.currentTimeMillis() + clockOffsetMillis.get();
  }

  long nowSeconds() {
    return Math.floorDiv(nowMillis(), 1000);
  }

  void advanceClock(long millis) {
    clockOffsetMillis.addAndGet(millis);
  }

  void holdNextConsole(long millis) {
    consoleHoldMillis.set(millis);
  }

  void lateConsoles(long millis, int count) {
    lateByMillis.set(millis);
    lateConsoles.set(count);
  }

  /** After a vncproxy answer: the clock jumps if a late console was asked for. */
  void vncproxyAnswered() {
    if (lateConsoles.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      advanceClock(lateByMillis.get());
    }
  }

  /** The hold set for the next console (once), or 0. */
  long takeConsoleHold() {
    return consoleHoldMillis.getAndSet(0);
  }

  void record(PveCall call) {
    calls.add(call);
  }

  List<PveCall> calls() {
    return List.copyOf(calls);
  }

  void consoleOpened() {
    liveConsoles.incrementAndGet();
  }

  void consoleClosed() {
    liveConsoles.decrementAndGet();
  }

  int liveConsoles() {
    return liveConsoles.get();
  }

  void consolePinged() {
    consolePings.incrementAndGet();
  }

  long consolePings() {
    return consolePings.get();
  }
}
