package io.vncgate.gateway.front;

import io.vncgate.gateway.config.ConfigException;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A front that cannot listen, in words that name the address and its config key instead of a
 * bind exception: "port 6080 is in use (by pid 4242) on 127.0.0.1: choose server.port or stop it".
 */
public final class ListenFailure {
  private ListenFailure() {}

  /** The port is taken: by {@code pid} when that is known (a process of this user). */
  public static final class PortInUse extends ConfigException {
    private final int port;
    private final OptionalLong pid;

    PortInUse(int port, OptionalLong pid, String host, String portKey) {
      super("port " + port + " is in use" + (pid.isPresent() ? " (by pid " + pid.getAsLong() + ")" : "")
          + " on " + host + ": choose " + portKey + " or stop it");
      this.port = port;
      this.pid = pid;
    }

    public int port() {
      return port;
    }

    public OptionalLong pid() {
      return pid;
    }
  }

  /**
   * @param hostKey the key of the host, e.g. {@code server.host}
   * @param portKey the key of the port, e.g. {@code server.port}
   */
  public static Throwable describe(Throwable e, String hostKey, String host, String portKey, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      if (t instanceof BindException || m.contains("Address already in use") || m.contains("Cannot assign requested address")
          || m.contains("Permission denied")) {
        if (m.contains("Cannot assign requested address")) {
          return new ConfigException(hostKey + ": " + host + " is not an address of this machine, so nothing can listen on it;"
              + " use one of its addresses, 127.0.0.1 or 0.0.0.0");
        }
        if (m.contains("Permission denied")) {
          return new ConfigException(portKey + ": port " + port + " on " + host + " needs privileges this process lacks"
              + " (ports below 1024); use a port from 1024 up, e.g. " + portKey + ": 6080");
        }
        return new PortInUse(port, listenerPid(port), host, portKey);
      }
    }
    return e;
  }

  /**
   * The pid of a process of this user listening on the TCP port, from Linux's /proc/net/tcp{,6}
   * (the socket's inode) and /proc/PID/fd (who holds it); empty when unknown (other OS, other user).
   */
  static OptionalLong listenerPid(int port) {
    Set<String> inodes = new HashSet<>();
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; st 0A = LISTEN
          if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) inodes.add("socket:[" + f[9] + "]");
        }
      } catch (IOException | RuntimeException e) {
        // no such table here: no pid
      }
    }
    if (inodes.isEmpty()) return OptionalLong.empty();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path proc : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
              }
            } catch (IOException e) {
              // closed meanwhile
            }
          }
        } catch (IOException | RuntimeException e) {
          // another user's process, or gone
        }
      }
    } catch (IOException e) {
      // no /proc
    }
    return OptionalLong.empty();
  }
}
