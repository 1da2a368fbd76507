package io.vncgate.gateway.transport.ssh;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;

/** Turns MINA and socket exceptions into the few words a user sees. No stack traces, no secrets. */
final class SshFailures {
  private SshFailures() {}

  /** A short lower-case cause, e.g. "connection refused". */
  static String words(Throwable t) {
    if (t == null) return "unknown error";
    Throwable root = t;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof UnknownHostException
          || c instanceof UnresolvedAddressException || c instanceof NoRouteToHostException
          || c instanceof SocketTimeoutException) {
        root = c;
        break;
      }
    }
    if (root instanceof ConnectException) {
      String m = root.getMessage();
      return m != null && m.toLowerCase().contains("refused") ? "connection refused" : lower(m, "cannot connect");
    }
    if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) return "unknown host";
    if (root instanceof NoRouteToHostException) return "no route to host";
    if (root instanceof SocketTimeoutException) return "timed out";
    if (root instanceof EOFException) return "connection closed by the server";
    if (root instanceof SshException s && s.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_PROTOCOL_ERROR) {
      return "SSH protocol error: " + lower(s.getMessage(), "unknown");
    }
    String m = root.getMessage();
    if (m != null && m.toLowerCase().contains("connection reset")) return "connection reset";
    if (m != null && m.contains("heartbeat requests without reply")) return "no answer to keep-alives";
    return lower(m, root.getClass().getSimpleName());
  }

  /** Why a {@code direct-tcpip} open failed, e.g. "connect failed (Connection refused)". */
  static String channelOpenWords(Throwable t) {
    if (t instanceof SshChannelOpenException e) {
      String code = switch (e.getReasonCode()) {
        case SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED -> "administratively prohibited";
        case SshConstants.SSH_OPEN_CONNECT_FAILED -> "connect failed";
        case SshConstants.SSH_OPEN_UNKNOWN_CHANNEL_TYPE -> "forwarding not supported";
        case SshConstants.SSH_OPEN_RESOURCE_SHORTAGE -> "resource shortage";
        default -> "refused (code " + e.getReasonCode() + ")";
      };
      String m = e.getMessage();
      return m == null || m.isBlank() ? code : code + " (" + m + ")";
    }
    return words(t);
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  private static String lower(String message, String fallback) {
    if (message == null || message.isBlank()) return fallback;
    String m = message.strip();
    return m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))
        ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
  }
}
