package io.vncgate.gateway.front;

import io.vncgate.gateway.config.ConfigException;
import java.net.BindException;

/**
 * A front that cannot listen, in words that name the address and its config key instead of a
 * bind exception: "port 6080 on 127.0.0.1 is already in use (server.port): ...".
 */
public final class ListenFailure {
  private ListenFailure() {}

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
        return new ConfigException(portKey + ": port " + port + " on " + host + " is already in use (another vncgate, or"
            + " another program): stop it, or set " + portKey + " to a free port");
      }
    }
    return e;
  }
}
