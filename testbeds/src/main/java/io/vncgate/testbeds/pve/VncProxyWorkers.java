package io.vncgate.testbeds.pve;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code vncproxy} workers of the API node, as qemu-server forks them: each listens on a port
 * from 5900..5999 (the lowest one neither listening nor handed out in the last 5 s, as
 * PVE::Tools::next_unused_port), accepts ONE connection within 10 s and then stops listening; a
 * worker nobody connected to ends with "connection timed out". Each is a task with a UPID whose
 * status can be read. Times come from the testbed's clock (milliseconds since the epoch).
 */
final class VncProxyWorkers {

  static final long ACCEPT_WINDOW_MS = 10_000;
  private static final long PORT_RESERVATION_MS = 5_000;
  private static final int FIRST_PORT = 5900;
  private static final int LAST_PORT = 5999;

  /** One worker; its fields change on the event loop, reads from tests go through the monitor. */
  static final class Worker {
    final String upid;
    final int port;
    final PveGuest guest;
    final String user;
    final String password;
    final String ticket;
    final long startedMs;
    private String exitStatus;

    private Worker(String upid, int port, PveGuest guest, String user, String password, String ticket,
                   long startedMs) {
      this.upid = upid;
      this.port = port;
      this.guest = guest;
      this.user = user;
      this.password = password;
      this.ticket = ticket;
      this.startedMs = startedMs;
    }
  }

  private final String apiNode;
  private final Map<Integer, Worker> listening = new LinkedHashMap<>();
  private final Map<Integer, Long> reservedUntil = new LinkedHashMap<>();
  private final Map<String, Worker> tasks = new LinkedHashMap<>();
  private final int pid = ThreadLocalRandom.current().nextInt(0x1000, 0x3fffff);
  private int nextPid;

  VncProxyWorkers(String apiNode) {
    this.apiNode = apiNode;
  }

  /** A free port, or -1 when all 100 are taken ("unable to find free port (5900-5999)"). */
  synchronized int freePort(long nowMs) {
    expire(nowMs);
    for (int port = FIRST_PORT; port <= LAST_PORT; port++) {
      if (!listening.containsKey(port) && reservedUntil.getOrDefault(port, 0L) <= nowMs) {
        return port;
      }
    }
    return -1;
  }

  synchronized Worker start(int port, PveGuest guest, String user, String password, String ticket, long nowMs) {
    String upid = String.format(Locale.ROOT, "UPID:%s:%08X:%08X:%08X:vncproxy:%d:%s:", apiNode,
        pid + nextPid++, (nowMs / 10) & 0xffffffffL, nowMs / 1000, guest.vmid(), user);
    Worker worker = new Worker(upid, port, guest, user, password, ticket, nowMs);
    listening.put(port, worker);
    reservedUntil.put(port, nowMs + PORT_RESERVATION_MS);
    tasks.put(upid, worker);
    return worker;
  }

  /**
   * What a TCP connect to {@code localhost:port} reaches: the worker listening there, which stops
   * listening now; empty when nobody listens (never started, timed out, or already accepted one).
   */
  synchronized Optional<Worker> accept(int port, long nowMs) {
    expire(nowMs);
    return Optional.ofNullable(listening.remove(port));
  }

  /** The worker ended: {@code "OK"} or PVE's error text ("Failed to run vncproxy."). */
  synchronized void finish(Worker worker, String exitStatus) {
    if (worker.exitStatus == null) {
      worker.exitStatus = exitStatus;
    }
  }

  /** {@code /nodes/<node>/tasks/<upid>/status} data, or empty for an unknown UPID. */
  synchronized Optional<Map<String, Object>> taskStatus(String upid, long nowMs) {
    expire(nowMs);
    Worker w = tasks.get(upid);
    if (w == null) {
      return Optional.empty();
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("upid", w.upid);
    status.put("node", apiNode);
    status.put("type", "vncproxy");
    status.put("id", String.valueOf(w.guest.vmid()));
    status.put("user", w.user);
    status.put("starttime", w.startedMs / 1000);
    status.put("status", w.exitStatus == null ? "running" : "stopped");
    if (w.exitStatus != null) {
      status.put("exitstatus", w.exitStatus);
    }
    return Optional.of(status);
  }

  /** Workers still waiting for their one connection. */
  synchronized int listeningCount(long nowMs) {
    expire(nowMs);
    return listening.size();
  }

  private void expire(long nowMs) {
    listening.values().removeIf(w -> {
      if (nowMs - w.startedMs > ACCEPT_WINDOW_MS) {
        if (w.exitStatus == null) {
          w.exitStatus = "connection timed out";
        }
        return true;
      }
      return false;
    });
  }
}
