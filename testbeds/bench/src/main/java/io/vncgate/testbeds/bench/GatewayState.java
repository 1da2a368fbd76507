package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the soak compares before and after: the gateway process's open descriptors by kind and
 * threads by name ({@code /proc}), its heap after a full collection ({@code jcmd}), its roster and
 * ticket gauges ({@code /metrics}) and the roster its API lists.
 */
record GatewayState(Map<String, Integer> fds, Map<String, Integer> threads, long heapBytes,
                    Map<String, Double> gauges, int rosterSessions, int rosterViewers) {

  /** The {@code /metrics} gauges compared (all must be back to where they were). */
  static final String[] GAUGES = {"vncgate_tickets_live", "vncgate_roster_sessions", "vncgate_roster_viewers",
      "vncgate_sessions", "vncgate_viewers"};

  /** @param heapReadings full collections and heap readings ({@code jcmd}, a JVM start each); the least is kept */
  static GatewayState read(GatewayProcess g, int heapReadings) throws IOException {
    // the HTTP reads first: their connections are closed (HTTP/1.0) before descriptors are counted
    String metrics = get(g.httpPort, "/metrics", null);
    JsonObject roster = new JsonObject(get(g.httpPort, "/api/v1/sessions", g.token));
    Map<String, Double> gauges = new TreeMap<>();
    for (String name : GAUGES) gauges.put(name, sum(metrics, name));
    int viewers = 0;
    JsonArray sessions = roster.getJsonArray("sessions");
    for (int i = 0; i < sessions.size(); i++) viewers += sessions.getJsonObject(i).getJsonArray("viewers").size();
    // more than one full collection: what the first freed late (cleaners) is gone by the second
    long heap = Long.MAX_VALUE;
    for (int i = 0; i < heapReadings; i++) heap = Math.min(heap, g.heapAfterGc().orElse(-1));
    RelayProcess.sleep(300); // the gateway closes the HTTP connections above
    return new GatewayState(fds(g.pid()), threads(g.pid()), heap, gauges, sessions.size(), viewers);
  }

  int fdTotal() {
    return fds.values().stream().mapToInt(Integer::intValue).sum();
  }

  int threadTotal() {
    return threads.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Open descriptors by what they are: socket, pipe, anon_inode:[eventpoll], ..., file. */
  static Map<String, Integer> fds(long pid) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : list.toList()) {
        String to;
        try {
          to = Files.readSymbolicLink(fd).toString();
        } catch (IOException gone) {
          continue; // closed while listing
        }
        String kind = to.startsWith("socket:") ? "socket" : to.startsWith("pipe:") ? "pipe"
            : to.startsWith("anon_inode:") ? to : "file";
        out.merge(kind, 1, Integer::sum);
      }
    }
    return out;
  }

  /** Threads by name (the kernel's 15-character {@code comm}), trailing numbers dropped: "GC Thread#3" → "GC Thread#". */
  static Map<String, Integer> threads(long pid) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : list.toList()) {
        String comm = Proc.read(task.resolve("comm"));
        if (comm == null) continue; // ended while listing
        out.merge(comm.trim().replaceAll("[0-9]+$", ""), 1, Integer::sum);
      }
    }
    return out;
  }

  /** The sum of every sample of a metric (all its label sets). */
  static double sum(String prometheusText, String name) {
    double total = 0;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /** One HTTP/1.0 GET on its own connection, closed by the server after the reply: no keep-alive socket left in the count. */
  static String get(int port, String path, String bearer) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
          + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = reply.indexOf("\r\n\r\n");
      if (!reply.startsWith("HTTP/1.") || body < 0 || !reply.substring(9, 12).equals("200")) {
        throw new IOException("GET " + path + " answered " + reply.lines().findFirst().orElse("nothing"));
      }
      return reply.substring(body + 4);
    }
  }

  JsonObject json() {
    return new JsonObject()
        .put("fds", fdTotal())
        .put("fds_by_kind", new JsonObject(new TreeMap<String, Object>(fds)))
        .put("threads", threadTotal())
        .put("threads_by_name", new JsonObject(new TreeMap<String, Object>(threads)))
        .put("heap_after_gc_bytes", heapBytes)
        .put("gauges", new JsonObject(new TreeMap<String, Object>(gauges)))
        .put("roster_sessions", rosterSessions)
        .put("roster_viewers", rosterViewers);
  }
}
