package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep.AwaitAdmission;
import io.vncgate.gateway.rfb.HandshakeStep.Continue;
import io.vncgate.gateway.rfb.HandshakeStep.Failed;
import io.vncgate.gateway.rfb.HandshakeStep.Ready;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The gateway as RFB server to a viewer, from {@code RFB 003.008} to ServerInit. It stops at
 * {@link AwaitAdmission} so the gateway can connect upstream (and check the VNC response) before
 * it {@link #admit admits} or {@link #refuse refuses} the viewer.
 *
 * <p>{@code NONE}: version, AwaitAdmission (nothing offered yet), admit: offer None, [choice],
 * [SecurityResult in 3.8], ClientInit, ServerInit. {@code VNC_AUTH}: version, offer 2, [choice],
 * challenge, response, AwaitAdmission, admit: SecurityResult 0, ClientInit, ServerInit.
 */
public final class ViewerHandshake {

  public enum Security { NONE, VNC_AUTH }

  private enum State { PROTOCOL_VERSION, ADMISSION, SECURITY, VNC_AUTH, CLIENT_INIT, DONE, FAILED }

  private final Security security;
  private final Supplier<byte[]> challenges;
  private final ByteQueue in = new ByteQueue();
  private State state = State.PROTOCOL_VERSION;
  private boolean admissionDue;
  private RfbVersion version;
  private byte[] challenge;
  private byte[] response;
  private ServerInit serverInit;
  private boolean shared;
  private RfbFailure failure;

  /** With a fresh random VNC-auth challenge per handshake. */
  public ViewerHandshake(Security security) {
    this(security, VncAuth::newChallenge);
  }

  /**
   * {@code challenges}: where the VNC-auth challenge comes from, e.g. the ticket store's shared
   * challenge of the moment (which lets it find the ticket by the response); 16 bytes each.
   */
  public ViewerHandshake(Security security, Supplier<byte[]> challenges) {
    this.security = Objects.requireNonNull(security, "security");
    this.challenges = Objects.requireNonNull(challenges, "challenges");
  }

  /** The first bytes to write: {@code RFB 003.008\n}. */
  public Buffer start() {
    return RfbVersion.V3_8.banner();
  }

  /** Where the handshake stands, named after the spec (for logs and timeout messages). */
  public String phase() {
    return state.name();
  }

  /** The version the viewer chose, null before its reply was read. */
  public RfbVersion version() {
    return version;
  }

  /**
   * Feeds bytes from the viewer. Returns Continue, AwaitAdmission (once; bytes arriving while the
   * gateway decides are kept), Ready or Failed. After Failed every call returns the same failure
   * with empty output.
   *
   * @throws IllegalStateException after Ready
   */
  public HandshakeStep onData(Buffer data) {
    if (state == State.DONE) {
      throw new IllegalStateException("handshake already complete");
    }
    if (state == State.FAILED) {
      return new Failed(Buffer.buffer(), failure);
    }
    in.append(data);
    return run(Buffer.buffer());
  }

  /**
   * Lets the viewer in with {@code serverInit} (sent as given, e.g. renamed). Returns Continue, or
   * Ready when the viewer's ClientInit was already buffered, or Failed when the viewer's buffered
   * bytes break the protocol (e.g. it chose a type that was not offered).
   *
   * @throws IllegalStateException unless the last step was AwaitAdmission
   */
  public HandshakeStep admit(ServerInit serverInit) {
    Objects.requireNonNull(serverInit, "serverInit");
    if (state != State.ADMISSION) {
      throw new IllegalStateException("admit() is only valid after AwaitAdmission, not in " + state);
    }
    this.serverInit = serverInit;
    Buffer out = Buffer.buffer();
    if (security == Security.VNC_AUTH) {
      out.appendInt(0);
      state = State.CLIENT_INIT;
    } else if (version == RfbVersion.V3_3) {
      out.appendInt(SecurityTypes.NONE);
      state = State.CLIENT_INIT;
    } else {
      out.appendByte((byte) 1).appendByte((byte) SecurityTypes.NONE);
      state = State.SECURITY;
    }
    return run(out);
  }

  /** {@link #refuse(RfbFailure)} with cause SERVER_REFUSED. */
  public HandshakeStep refuse(String reason) {
    return refuse(new RfbFailure(Cause.SERVER_REFUSED, reason));
  }

  /**
   * Ends the handshake, telling the viewer {@code failure.message()} in the wire form its state
   * allows: before security types were sent, an empty type list ({@code 00}, 3.3: type
   * {@code 00000000}) plus the reason; once a security type is under way, SecurityResult 1 (3.8
   * with the reason; in VNC_AUTH mode still waiting for the choice, the challenge goes first so the
   * viewer reads the result where it expects one). Where RFB has no failure message (before the
   * viewer's version was read, after a 3.3/3.7 None choice, while waiting for ClientInit) the
   * output is empty: just close.
   *
   * @throws IllegalStateException after Ready
   */
  public HandshakeStep refuse(RfbFailure failure) {
    Objects.requireNonNull(failure, "failure");
    if (state == State.DONE) {
      throw new IllegalStateException("handshake already complete");
    }
    if (state == State.FAILED) {
      return new Failed(Buffer.buffer(), this.failure);
    }
    Buffer out = Buffer.buffer();
    String reason = failure.message();
    switch (state) {
      case ADMISSION -> {
        if (security == Security.VNC_AUTH) {
          securityFailure(out, reason);
        } else {
          if (version == RfbVersion.V3_3) {
            out.appendInt(SecurityTypes.INVALID);
          } else {
            out.appendByte((byte) 0);
          }
          out.appendBuffer(RfbText.reasonString(reason));
        }
      }
      case SECURITY -> {
        if (security == Security.VNC_AUTH) {
          out.appendBytes(VncAuth.newChallenge());
          securityFailure(out, reason);
        } else if (version == RfbVersion.V3_8) {
          securityFailure(out, reason);
        }
      }
      case VNC_AUTH -> securityFailure(out, reason);
      default -> {
        // PROTOCOL_VERSION, CLIENT_INIT: RFB has no way to say why here
      }
    }
    fail(failure);
    return new Failed(out, failure);
  }

  private HandshakeStep run(Buffer out) {
    while (step(out)) {
      // one whole message per step
    }
    switch (state) {
      case FAILED -> {
        return new Failed(out, failure);
      }
      case DONE -> {
        out.appendBuffer(serverInit.encode());
        return new Ready(out, serverInit, shared, in.takeAll());
      }
      case ADMISSION -> {
        if (admissionDue) {
          admissionDue = false;
          in.settle(0);
          return new AwaitAdmission(out, copy(challenge), copy(response));
        }
      }
      default -> {
        // more bytes needed
      }
    }
    in.settle(0);
    return new Continue(out);
  }

  private boolean step(Buffer out) {
    return switch (state) {
      case PROTOCOL_VERSION -> protocolVersion(out);
      case SECURITY -> securityChoice(out);
      case VNC_AUTH -> vncAuthResponse();
      case CLIENT_INIT -> clientInit();
      case ADMISSION, DONE, FAILED -> false;
    };
  }

  private boolean protocolVersion(Buffer out) {
    int avail = in.available();
    byte[] seen = in.bytes(0, Math.min(avail, 64));
    if (!RfbVersion.isBannerPrefix(seen, seen.length)) {
      return fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR,
          "viewer " + RfbVersion.notRfbMessage(seen, seen.length)));
    }
    if (avail < RfbVersion.BANNER_LENGTH) {
      return false;
    }
    try {
      version = RfbVersion.fromViewerBanner(in.take(RfbVersion.BANNER_LENGTH));
    } catch (RfbException e) {
      return fail(e.failure());
    }
    if (security == Security.NONE) {
      admissionDue = true;
      state = State.ADMISSION;
    } else if (version == RfbVersion.V3_3) {
      out.appendInt(SecurityTypes.VNC_AUTH);
      sendChallenge(out);
    } else {
      out.appendByte((byte) 1).appendByte((byte) SecurityTypes.VNC_AUTH);
      state = State.SECURITY;
    }
    return true;
  }

  /** 3.7/3.8: the viewer's {@code U8} choice, which must be the one type offered. */
  private boolean securityChoice(Buffer out) {
    if (in.available() < 1) {
      return false;
    }
    int chosen = in.u8(0);
    in.skip(1);
    int offered = security == Security.NONE ? SecurityTypes.NONE : SecurityTypes.VNC_AUTH;
    if (chosen != offered) {
      String reason = "viewer chose security type " + SecurityTypes.describe(chosen)
          + " but only " + SecurityTypes.describe(offered) + " was offered";
      securityFailure(out, reason);
      return fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, reason));
    }
    if (security == Security.VNC_AUTH) {
      sendChallenge(out);
    } else {
      if (version == RfbVersion.V3_8) {
        out.appendInt(0);
      }
      state = State.CLIENT_INIT;
    }
    return true;
  }

  private void sendChallenge(Buffer out) {
    challenge = challenges.get();
    if (challenge == null || challenge.length != VncAuth.CHALLENGE_LENGTH) {
      throw new IllegalStateException("a VNC-auth challenge must be 16 bytes, got "
          + (challenge == null ? "none" : challenge.length));
    }
    out.appendBytes(challenge);
    state = State.VNC_AUTH;
  }

  private boolean vncAuthResponse() {
    if (in.available() < VncAuth.CHALLENGE_LENGTH) {
      return false;
    }
    response = in.take(VncAuth.CHALLENGE_LENGTH);
    admissionDue = true;
    state = State.ADMISSION;
    return true;
  }

  private boolean clientInit() {
    if (in.available() < 1) {
      return false;
    }
    shared = in.u8(0) != 0;
    in.skip(1);
    state = State.DONE;
    return true;
  }

  /** SecurityResult failed: {@code U32 1}, plus the reason in 3.8. */
  private void securityFailure(Buffer out, String reason) {
    out.appendInt(1);
    if (version == RfbVersion.V3_8) {
      out.appendBuffer(RfbText.reasonString(reason));
    }
  }

  private boolean fail(RfbFailure f) {
    failure = f;
    state = State.FAILED;
    in.clear();
    return false;
  }

  private static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }
}
