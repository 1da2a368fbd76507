package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/**
 * What feeding bytes to a handshake produced. {@link #output()} holds the bytes to write to the
 * peer now, in wire order; it may be empty, never null.
 */
public sealed interface HandshakeStep {

  Buffer output();

  /** More bytes are needed. */
  record Continue(Buffer output) implements HandshakeStep {
    public Continue {
      Objects.requireNonNull(output, "output");
    }
  }

  /**
   * Viewer side only: the viewer is at the point where the gateway must decide (connect upstream,
   * check the response) and then call {@code admit} or {@code refuse}. {@code challenge} and
   * {@code response} are the VNC authentication exchange, both null in {@code NONE} mode.
   */
  record AwaitAdmission(Buffer output, byte[] challenge, byte[] response) implements HandshakeStep {
    public AwaitAdmission {
      Objects.requireNonNull(output, "output");
    }
  }

  /**
   * The handshake is complete. {@code leftover} holds the bytes the peer sent after its last
   * handshake message, untouched (possibly empty): they belong to the relay.
   */
  record Ready(Buffer output, ServerInit serverInit, boolean shared, Buffer leftover)
      implements HandshakeStep {
    public Ready {
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(serverInit, "serverInit");
      Objects.requireNonNull(leftover, "leftover");
    }
  }

  /**
   * Viewer side only: the viewer chose VeNCrypt with TLS. Write {@code output} (its last byte is
   * the go-ahead) in the clear, then run the TLS handshake as server on the same connection, then
   * call {@code tlsEstablished()}; nothing more is read in the clear.
   */
  record StartTls(Buffer output) implements HandshakeStep {
    public StartTls {
      Objects.requireNonNull(output, "output");
    }
  }

  /** The handshake failed; write {@code output} (the failure in wire form, maybe empty) then close. */
  record Failed(Buffer output, RfbFailure failure) implements HandshakeStep {
    public Failed {
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(failure, "failure");
    }
  }
}
