package io.vncgate.testbeds;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process RFB server on a free loopback port that runs one script on every connection:
 * a well-behaved desktop (the default: 3.8, security None, 64x48), an odd banner, a refusal,
 * a failed authentication, garbage bytes, silence. Every connection is recorded for assertions.
 *
 * <p>Blocking sockets: one accept thread plus one thread per connection, all daemon threads
 * named {@code scripted-rfb-<port>-…}, all ended by {@link #close()}.
 */
public final class ScriptedRfbServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScriptedRfbServer.class);

  private final Script script;
  private final ServerSocket serverSocket;
  private final ExecutorService threads;
  private final Set<Thread> started = ConcurrentHashMap.newKeySet();
  private final List<RecordedConnection> connections = new ArrayList<>();
  private final AtomicInteger authAttempts = new AtomicInteger();
  private volatile int fillColour;
  private volatile boolean closed;

  private ScriptedRfbServer(Script script) throws IOException {
    this.script = script;
    this.fillColour = script.fillColour();
    this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger threadCount = new AtomicInteger();
    String prefix = "scripted-rfb-" + serverSocket.getLocalPort() + "-";
    this.threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, prefix + threadCount.incrementAndGet());
      thread.setDaemon(true);
      started.add(thread);
      return thread;
    });
    threads.execute(this::acceptLoop);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String host() {
    return serverSocket.getInetAddress().getHostAddress();
  }

  public int port() {
    return serverSocket.getLocalPort();
  }

  /** Connections accepted so far, oldest first. */
  public List<Connection> connections() {
    synchronized (connections) {
      return List.<Connection>copyOf(connections);
    }
  }

  /** Waits until at least {@code n} connections were accepted; returns the first {@code n}. */
  public List<Connection> awaitConnections(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (connections) {
      while (connections.size() < n) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new TestbedException("expected " + n + " connection(s) within " + timeout
              + ", got " + connections.size());
        }
        waitOn(connections, left);
      }
      return List.<Connection>copyOf(connections.subList(0, n));
    }
  }

  /** VNC authentication responses received, over all connections. */
  public int authAttempts() {
    return authAttempts.get();
  }

  /** Colour {@code 0xRRGGBB} of the Raw rectangles sent from now on. */
  public void fillColour(int rgb) {
    this.fillColour = rgb;
  }

  public int fillColour() {
    return fillColour;
  }

  void countAuthAttempt() {
    authAttempts.incrementAndGet();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = serverSocket.accept();
        socket.setTcpNoDelay(true);
        RecordedConnection connection;
        synchronized (connections) {
          connection = new RecordedConnection(connections.size() + 1, socket);
          connections.add(connection);
          connections.notifyAll();
        }
        threads.execute(new ScriptSession(script, this, connection));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("scripted RFB server on port {} stopped accepting: {}", port(), e.toString());
        }
        return;
      }
    }
  }

  /** Closes the listener and every connection, and waits for the threads to end. */
  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      LOG.debug("closing listener: {}", e.toString());
    }
    connections().forEach(Connection::close);
    threads.shutdownNow();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      for (Thread thread : started) {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (thread.isAlive()) {
          LOG.warn("scripted RFB server thread {} did not end within 5 s", thread.getName());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void waitOn(Object monitor, long millis) {
    try {
      monitor.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted while waiting", e);
    }
  }

  /** What one accepted connection did. Thread-safe. */
  public interface Connection {

    /** 1 for the first connection the server accepted. */
    int id();

    /** The 12 bytes the client sent as its ProtocolVersion, or null. */
    String clientVersion();

    /** Security type the client chose (3.3: the server's), or -1. */
    int chosenSecurityType();

    boolean clientInitReceived();

    /** The ClientInit shared flag; fails when no ClientInit arrived. */
    boolean sharedFlag();

    /** Whole client messages received after ClientInit, in order. */
    List<byte[]> messages();

    /** Client message types received after ClientInit, in order. */
    List<Integer> messageTypes();

    /** Every client byte received after ClientInit, concatenated. */
    byte[] receivedAfterInit();

    /** Waits for a client message of this type and returns the first one. */
    byte[] awaitMessage(int type, Duration timeout);

    /** Waits until the connection is closed (by either side); false on timeout. */
    boolean awaitClosed(Duration timeout);

    boolean isClosed();

    /** Sends server-to-client bytes (e.g. a Bell) between scripted writes. */
    void send(byte[] bytes);

    /** Sends a classic ServerCutText (ISO-8859-1). */
    void sendServerCutText(String text);

    /** Closes the socket; the script thread ends. */
    void close();
  }

  /** One behaviour per server; the last call of the opening methods wins. */
  public static final class Builder {

    private Script.Opening opening = Script.Opening.RFB;
    private String banner = "RFB 003.008\n";
    private byte[] raw = new byte[0];
    private boolean stall;
    private List<Integer> securityTypes;
    private String password;
    private String refuseReason;
    private String authFailReason;
    private int width = 64;
    private int height = 48;
    private String desktopName = "scripted";
    private int fillColour = 0x336699;

    private Builder() {
    }

    /** The 12-byte ProtocolVersion sent first, e.g. {@code "RFB 003.889\n"}. */
    public Builder banner(String raw12) {
      if (raw12.length() != 12) {
        throw new IllegalArgumentException("a banner is 12 bytes: '" + raw12 + "'");
      }
      this.banner = raw12;
      return this;
    }

    /** Behaves as a 3.3 server: banner 3.3, server-chosen U32 security type. */
    public Builder version33() {
      return banner("RFB 003.003\n");
    }

    /** Security types to offer (3.3: the first one is the server's choice). */
    public Builder securityTypes(int... types) {
      this.securityTypes = Arrays.stream(types).boxed().toList();
      return this;
    }

    /** Offer security type None (the default). */
    public Builder noneAuth() {
      this.password = null;
      this.securityTypes = List.of(1);
      return this;
    }

    /** Offer VNC Authentication and check responses with DES against this password. */
    public Builder vncAuth(String password) {
      this.password = password;
      this.securityTypes = List.of(2);
      return this;
    }

    /** Security type list n=0 (3.3: type 0) followed by this reason; then close. */
    public Builder refuseWithReason(String reason) {
      this.refuseReason = reason;
      return this;
    }

    /** TigerVNC's blacklist answer: {@code RFB 003.003\n}, U32 0, "Too many security failures". */
    public Builder tooManyAttempts() {
      this.opening = Script.Opening.TOO_MANY_ATTEMPTS;
      return this;
    }

    /** SecurityResult failed (3.8: with this reason) whatever the client sends. */
    public Builder authFailsWithReason(String reason) {
      this.authFailReason = reason;
      return this;
    }

    /** Send these bytes instead of RFB, then close (or stall, with {@link #stall()}). */
    public Builder sendRaw(byte[] bytes) {
      this.opening = Script.Opening.RAW;
      this.raw = bytes.clone();
      return this;
    }

    /** Keep the connection open without sending anything (after {@link #sendRaw}: after it). */
    public Builder stall() {
      this.stall = true;
      if (opening != Script.Opening.RAW) {
        opening = Script.Opening.STALL;
      }
      return this;
    }

    /** Accept and close at once. */
    public Builder closeImmediately() {
      this.opening = Script.Opening.CLOSE;
      return this;
    }

    /** Desktop size and name sent in ServerInit (default 64x48 "scripted"). */
    public Builder desktop(int width, int height, String name) {
      if (width < 1 || height < 1 || width > 65535 || height > 65535) {
        throw new IllegalArgumentException("bad desktop size " + width + "x" + height);
      }
      this.width = width;
      this.height = height;
      this.desktopName = name;
      return this;
    }

    /** Colour {@code 0xRRGGBB} of every framebuffer update (default 0x336699). */
    public Builder fillColour(int rgb) {
      this.fillColour = rgb;
      return this;
    }

    public ScriptedRfbServer start() {
      Script script = new Script(opening, banner, raw, stall, securityTypes, password,
          refuseReason, authFailReason, width, height, desktopName, fillColour);
      try {
        return new ScriptedRfbServer(script);
      } catch (IOException e) {
        throw new TestbedException("cannot listen on loopback", e);
      }
    }
  }
}
