package io.vncgate.testbeds.pve;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vncgate.testbeds.RfbTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTPS and WebSocket client of the testbed (Vert.x, trusting the testbed's CA file only,
 * hostname verified), with an RFB client over a console WebSocket.
 */
final class PveClient implements AutoCloseable {

  /** An HTTP answer: status, reason phrase, body text (may be empty). */
  record Answer(int status, String reason, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonObject data() {
      return json().getJsonObject("data");
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final PveTestbed pve;
  private final HttpClient http;
  private final WebSocketClient ws;

  PveClient(PveTestbed pve) {
    this.pve = pve;
    PemTrustOptions trust = new PemTrustOptions().addCertPath(pve.caFile().toString());
    // No keep-alive: with Vert.x 5.0.10, after the testbed drops a console WebSocket without a close
    // frame (as pveproxy does), a later request on a pooled connection of the same Vertx sometimes
    // never got its answer (the server had written it; a JDK client and keepAlive(false) did not
    // show it). These tests are about the testbed, not about that client behaviour.
    this.http = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(trust)
        .setVerifyHost(true).setKeepAlive(false));
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustOptions(trust)
        .setVerifyHost(true).setMaxFrameSize(1 << 20).setMaxMessageSize(16 << 20));
  }

  static String tokenHeader(String tokenId, String secret) {
    return "PVEAPIToken=" + tokenId + "=" + secret;
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  Answer get(String path, Map<String, String> headers) {
    return request(HttpMethod.GET, path, headers, null);
  }

  Answer post(String path, Map<String, String> headers, String form) {
    return request(HttpMethod.POST, path, headers, form);
  }

  Answer request(HttpMethod method, String path, Map<String, String> headers, String form) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(pve.host()).setPort(pve.port())
        .setURI("/api2/json" + path);
    MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(headers);
    if (form != null) {
      h.add("Content-Type", "application/x-www-form-urlencoded");
    }
    options.setHeaders(h);
    return await(http.request(options)
        .compose(req -> (form == null ? req.send() : req.send(form)))
        .compose(resp -> resp.body().map(body ->
            new Answer(resp.statusCode(), resp.statusMessage(), body.toString(StandardCharsets.UTF_8)))));
  }

  /** {@code /nodes/<node>/<type>/<vmid>/vncwebsocket?port=&vncticket=} with the given auth headers. */
  /** How long {@link #console} waits for the answer to its upgrade. */
  static final Duration UPGRADE_TIMEOUT = Duration.ofSeconds(3);

  Future<WebSocket> console(String node, String type, int vmid, String port, String ticket, Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(pve.host()).setPort(pve.port())
        .setSsl(true).setURI("/api2/json/nodes/" + node + "/" + type + "/" + vmid + "/vncwebsocket?port="
            + port + "&vncticket=" + enc(ticket))
        .setSubProtocols(List.of("binary"))
        // pveproxy leaves an upgrade it cannot connect unanswered: the client gives up
        .setTimeout(UPGRADE_TIMEOUT.toMillis());
    headers.forEach(options::addHeader);
    return ws.connect(options);
  }

  /** An RFB client over a console WebSocket; {@code frameSizes} gets the payload size of every frame received. */
  static RfbTestClient rfbOver(WebSocket socket, List<Integer> frameSizes) {
    BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    byte[] eof = new byte[0];
    socket.frameHandler(frame -> {
      if (frame.isBinary() || frame.isContinuation()) {
        frameSizes.add(frame.binaryData().length());
        if (!frame.isFinal()) {
          frameSizes.add(-1);
        }
        incoming.add(frame.binaryData().getBytes());
      }
    });
    socket.closeHandler(v -> incoming.add(eof));
    InputStream in = new InputStream() {
      private byte[] current = new byte[0];
      private int pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        while (current != eof && pos >= current.length) {
          try {
            byte[] next = incoming.poll(10, TimeUnit.SECONDS);
            if (next == null) {
              throw new SocketTimeoutException("no data on the console WebSocket within 10 s");
            }
            current = next;
            pos = 0;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
        }
        if (current == eof) {
          return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
      }
    };
    OutputStream out = new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        socket.writeBinaryMessage(Buffer.buffer().appendBytes(b, off, len));
      }

      @Override
      public void close() {
        socket.close();
      }
    };
    return RfbTestClient.over(in, out);
  }

  static List<Integer> frameLog() {
    return new CopyOnWriteArrayList<>();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e.getCause() != null ? e.getCause() : e);
    }
  }

  /** The failure of a future that must fail. */
  static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure, got a success");
  }

  static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
