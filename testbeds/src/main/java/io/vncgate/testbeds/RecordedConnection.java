package io.vncgate.testbeds;

import static io.vncgate.testbeds.ScriptedRfbServer.waitOn;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The record of one scripted connection, written by its {@link ScriptSession}. */
final class RecordedConnection implements ScriptedRfbServer.Connection {

  private static final Logger LOG = LoggerFactory.getLogger(RecordedConnection.class);

  private final int id;
  private final Socket socket;
  private final OutputStream output;
  private final List<byte[]> messages = new ArrayList<>();
  private String clientVersion;
  private int chosenSecurityType = -1;
  private Boolean shared;
  private boolean closed;

  RecordedConnection(int id, Socket socket) throws IOException {
    this.id = id;
    this.socket = socket;
    this.output = socket.getOutputStream();
  }

  @Override
  public int id() {
    return id;
  }

  Socket socket() {
    return socket;
  }

  @Override
  public synchronized String clientVersion() {
    return clientVersion;
  }

  @Override
  public synchronized int chosenSecurityType() {
    return chosenSecurityType;
  }

  @Override
  public synchronized boolean clientInitReceived() {
    return shared != null;
  }

  @Override
  public synchronized boolean sharedFlag() {
    if (shared == null) {
      throw new IllegalStateException("connection " + id + " sent no ClientInit");
    }
    return shared;
  }

  @Override
  public synchronized List<byte[]> messages() {
    return messages.stream().map(byte[]::clone).toList();
  }

  @Override
  public synchronized List<Integer> messageTypes() {
    return messages.stream().map(m -> m[0] & 0xFF).toList();
  }

  @Override
  public synchronized byte[] receivedAfterInit() {
    int length = messages.stream().mapToInt(m -> m.length).sum();
    byte[] all = new byte[length];
    int offset = 0;
    for (byte[] m : messages) {
      System.arraycopy(m, 0, all, offset, m.length);
      offset += m.length;
    }
    return all;
  }

  @Override
  public synchronized byte[] awaitMessage(int type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (byte[] m : messages) {
        if ((m[0] & 0xFF) == type) {
          return m.clone();
        }
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0 || closed) {
        throw new TestbedException("connection " + id + ": no message of type " + type
            + (closed ? " before it closed" : " within " + timeout)
            + "; received types " + messages.stream().map(m -> m[0] & 0xFF).toList());
      }
      waitOn(this, left);
    }
  }

  @Override
  public synchronized boolean awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!closed) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      waitOn(this, left);
    }
    return true;
  }

  @Override
  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public void send(byte[] bytes) {
    try {
      write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("connection " + id + ": send failed", e);
    }
  }

  @Override
  public void sendServerCutText(String text) {
    byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
    byte[] message = Arrays.copyOf(new byte[] {3, 0, 0, 0}, 8 + latin1.length);
    System.arraycopy(ScriptSession.u32(latin1.length), 0, message, 4, 4);
    System.arraycopy(latin1, 0, message, 8, latin1.length);
    send(message);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing connection {}: {}", id, e.toString());
    }
  }

  void write(byte[]... parts) throws IOException {
    synchronized (output) {
      for (byte[] part : parts) {
        output.write(part);
      }
      output.flush();
    }
  }

  synchronized void clientVersion(String version) {
    clientVersion = version;
  }

  synchronized void chosenSecurityType(int type) {
    chosenSecurityType = type;
  }

  synchronized void clientInit(boolean sharedFlag) {
    shared = sharedFlag;
  }

  synchronized void received(byte[] message) {
    messages.add(message);
    notifyAll();
  }

  synchronized void markClosed() {
    closed = true;
    notifyAll();
  }
}
