package io.vncgate.testbeds.qemu;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.TestbedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking client of QEMU's monitor protocol (QMP): one JSON object per line over a unix
 * socket. {@link #connect} reads the greeting and sends {@code qmp_capabilities}; then
 * {@link #execute} sends one command and returns its {@code return} value, skipping the
 * asynchronous events QEMU interleaves (kept in {@link #events()}). A QMP {@code error} answer is
 * a {@link TestbedException} with QEMU's {@code class} and {@code desc}.
 *
 * <p>Thread-safe: commands are serialised. Every answer is awaited at most the timeout given.
 */
public final class QmpClient implements AutoCloseable {

  private final SocketChannel channel;
  private final BufferedReader in;
  private final OutputStream out;
  private final Duration timeout;
  private final ExecutorService reader;
  private final List<JsonObject> events = new ArrayList<>();

  private QmpClient(SocketChannel channel, Duration timeout) {
    this.channel = channel;
    this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    this.out = Channels.newOutputStream(channel);
    this.timeout = timeout;
    this.reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "qmp-reader-" + channel.hashCode());
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects, reads the {@code QMP} greeting (events before it kept) and leaves capabilities negotiation mode. */
  public static QmpClient connect(Path socket, Duration timeout) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      QmpClient client = new QmpClient(channel, timeout);
      JsonObject greeting = client.readMessage();
      // QEMU 7.2 may send an event (RESUME, as the guest starts) before the greeting to a client
      // that connected while it was still starting: kept like any other event
      while (greeting.containsKey("event") && !greeting.containsKey("QMP")) {
        synchronized (client.events) {
          client.events.add(greeting);
        }
        greeting = client.readMessage();
      }
      if (!greeting.containsKey("QMP")) {
        throw new TestbedException("QMP socket " + socket + " greeted with " + greeting.encode());
      }
      client.execute("qmp_capabilities", null);
      return client;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** {@code query-version}: QEMU's version ({@code qemu.major}, {@code qemu.minor}, {@code qemu.micro}). */
  public JsonObject queryVersion() {
    return (JsonObject) execute("query-version", null);
  }

  /**
   * Sends {@code {"execute": command, "arguments": arguments}} and returns the answer's
   * {@code return} value (a {@link JsonObject}, a {@link io.vertx.core.json.JsonArray} or null).
   */
  public synchronized Object execute(String command, JsonObject arguments) {
    JsonObject request = new JsonObject().put("execute", command);
    if (arguments != null) {
      request.put("arguments", arguments);
    }
    try {
      out.write((request.encode() + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (true) {
        JsonObject answer = readMessage();
        if (answer.containsKey("event")) {
          synchronized (events) {
            events.add(answer);
          }
          continue;
        }
        if (answer.containsKey("error")) {
          JsonObject error = answer.getJsonObject("error");
          throw new TestbedException("QMP " + command + " failed: " + error.getString("class") + ": "
              + error.getString("desc"));
        }
        if (answer.containsKey("return")) {
          return answer.getValue("return");
        }
        throw new TestbedException("QMP " + command + ": unexpected answer " + answer.encode());
      }
    } catch (IOException e) {
      throw new TestbedException("QMP " + command + ": " + e.getMessage(), e);
    }
  }

  /** The events QEMU sent so far ({@code {"event": "RESET", ...}}), oldest first. */
  public List<JsonObject> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  private JsonObject readMessage() throws IOException {
    Future<String> line = reader.submit(in::readLine);
    String text;
    try {
      text = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      line.cancel(true);
      throw new SocketTimeoutException("no QMP answer within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for QMP", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
    if (text == null) {
      throw new IOException("QEMU closed the QMP socket");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new IOException("QMP sent a line that is not a JSON object: " + text, e);
    }
  }

  @Override
  public void close() {
    reader.shutdownNow();
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a unix socket to a dying QEMU may fail; nothing to do
    }
  }
}
