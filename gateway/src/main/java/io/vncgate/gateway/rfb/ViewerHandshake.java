package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep.AwaitAdmission;
import io.vncgate.gateway.rfb.HandshakeStep.Continue;
import io.vncgate.gateway.rfb.HandshakeStep.Failed;
import io.vncgate.gateway.rfb.HandshakeStep.Ready;
import io.vncgate.gateway.rfb.HandshakeStep.StartTls;
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
 *
 * <p>{@code VENCRYPT_OR_VNC_AUTH} offers {@code [19 VeNCrypt, 2 VNC auth]}, {@code VENCRYPT} only
 * {@code [19]} (3.3 viewers, which cannot be offered a choice, get VNC auth or are refused). On
 * VeNCrypt: {@code U8 0, U8 2} (version 0.2), the viewer's version, {@code U8 0} (agreed), the
 * subtypes {@code U8 1, U32 261} (X509Vnc), the viewer's {@code U32} choice, {@code U8 1}, then
 * {@link StartTls}: the caller writes that step's output, runs the TLS handshake on the same
 * connection and calls {@link #tlsEstablished()}, which goes on with the VNC-auth challenge
 * inside TLS. A wrong version or subtype is answered as TigerVNC's server does ({@code U8 0xFF},
 * resp. {@code U8 0} for "no TLS"), followed by SecurityResult 1 with the reason for viewers
 * that read on.
 */
public final class ViewerHandshake {

  public enum Security {
    NONE, VNC_AUTH,
    /** VeNCrypt X509Vnc (TLS, then VNC auth) offered first, plain VNC auth too. */
    VENCRYPT_OR_VNC_AUTH,
    /** VeNCrypt X509Vnc only. */
    VENCRYPT;

    boolean vncAuth() {
      return this != NONE;
    }

    boolean vencrypt() {
      return this == VENCRYPT || this == VENCRYPT_OR_VNC_AUTH;
    }
  }

  private enum State {
    PROTOCOL_VERSION, ADMISSION, SECURITY, VENCRYPT_VERSION, VENCRYPT_SUBTYPE, TLS, VNC_AUTH, CLIENT_INIT, DONE, FAILED
  }

  /** The one VeNCrypt subtype offered: TLS with the gateway's X.509 certificate, then VNC auth. */
  static final int X509_VNC = 261;
  /** The VeNCrypt version spoken: 0.2 (TigerVNC, gtk-vnc, libvncserver). */
  private static final int VENCRYPT_MAJOR = 0;
  private static final int VENCRYPT_MINOR = 2;

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
  private boolean tlsChosen;

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
    if (state == State.TLS && data.length() > 0) {
      // bytes read in the clear after StartTls: the TLS layer was not there to take them
      fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR,
          "the viewer sent data in the clear while its TLS handshake was being set up"));
      return new Failed(Buffer.buffer(), failure);
    }
    in.append(data);
    return run(Buffer.buffer());
  }

  /**
   * The TLS handshake after {@link StartTls} succeeded: from here the caller's bytes go through
   * TLS. Returns the VNC-auth challenge to write (Continue), or Failed.
   *
   * @throws IllegalStateException unless the last step was StartTls
   */
  public HandshakeStep tlsEstablished() {
    if (state != State.TLS) {
      throw new IllegalStateException("tlsEstablished() is only valid after StartTls, not in " + state);
    }
    Buffer out = Buffer.buffer();
    sendChallenge(out);
    return run(out);
  }

  /**
   * For the log line of a viewer that closed its connection or stopped answering now: where in
   * VeNCrypt it stopped, or empty. A viewer that cannot (or may not) do VeNCrypt ends on its side
   * when only that is offered, without a word to the gateway; one that does not trust the
   * certificate ends during TLS, or (TigerVNC) asks its user after it.
   *
   * @param left whether the viewer closed its connection (else it stopped answering)
   */
  public String whereStopped(boolean left) {
    if (state == State.SECURITY && security == Security.VENCRYPT) {
      return " at the security types: only VeNCrypt (19) with subtype X509Vnc is offered, so a viewer without it"
          + " (or not allowed it) ends here; TigerVNC: -SecurityTypes X509Vnc -X509CA <the gateway's CA file>";
    }
    if (state == State.TLS) {
      return " during its TLS handshake (a viewer that does not accept the gateway's certificate ends here)";
    }
    if (state == State.VNC_AUTH && tlsChosen) {
      return left
          ? " after TLS, before its VNC response (a viewer that did not trust the gateway's certificate,"
              + " or whose user declined it, ends here)"
          : " after TLS, before its VNC response (TigerVNC asks its user here whether to trust a certificate"
              + " it cannot verify: give it the CA with -X509CA)";
    }
    return "";
  }

  /** Whether the viewer chose VeNCrypt (its connection is, or is about to be, TLS). */
  public boolean tls() {
    return tlsChosen;
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
    if (security.vncAuth()) {
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
        if (security.vncAuth()) {
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
        if (security.vencrypt()) {
          // no choice yet, so no exchange to end in its own terms: a viewer that reads a SecurityResult
          // next (3.8 after a type it could not use) gets the reason; others see the connection close
          securityFailure(out, reason);
        } else if (security == Security.VNC_AUTH) {
          out.appendBytes(VncAuth.newChallenge());
          securityFailure(out, reason);
        } else if (version == RfbVersion.V3_8) {
          securityFailure(out, reason);
        }
      }
      case VNC_AUTH -> securityFailure(out, reason);
      case VENCRYPT_VERSION -> {
        out.appendByte((byte) 0xFF); // the viewer's version not agreed: it stops reading here
        securityFailure(out, reason);
      }
      case VENCRYPT_SUBTYPE -> {
        out.appendByte((byte) 0); // "no TLS": the viewer stops reading here
        securityFailure(out, reason);
      }
      default -> {
        // PROTOCOL_VERSION, CLIENT_INIT, TLS (a handshake under way): RFB has no way to say why here
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
      case TLS -> {
        if (in.available() > 0) {
          fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR,
              "the viewer sent data after its VeNCrypt subtype, before the gateway's go-ahead for TLS"));
          out.setByte(out.length() - 1, (byte) 0); // the go-ahead withdrawn: "no TLS"
          securityFailure(out, failure.message());
          return new Failed(out, failure);
        }
        in.settle(0);
        return new StartTls(out);
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
      case VENCRYPT_VERSION -> vencryptVersion(out);
      case VENCRYPT_SUBTYPE -> vencryptSubtype(out);
      case VNC_AUTH -> vncAuthResponse();
      case CLIENT_INIT -> clientInit();
      case ADMISSION, TLS, DONE, FAILED -> false;
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
      if (security == Security.VENCRYPT) {
        // 3.3: the server picks the one type, and VeNCrypt needs the viewer's choice
        String reason = "this gateway requires TLS (VeNCrypt) on its TCP front, which RFB 3.3 viewers cannot choose;"
            + " use a viewer with VeNCrypt (TigerVNC: -SecurityTypes X509Vnc) or the web viewer";
        out.appendInt(SecurityTypes.INVALID).appendBuffer(RfbText.reasonString(reason));
        return fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, reason));
      }
      out.appendInt(SecurityTypes.VNC_AUTH);
      sendChallenge(out);
    } else if (security == Security.VENCRYPT) {
      out.appendByte((byte) 1).appendByte((byte) SecurityTypes.VENCRYPT);
      state = State.SECURITY;
    } else if (security == Security.VENCRYPT_OR_VNC_AUTH) {
      out.appendByte((byte) 2).appendByte((byte) SecurityTypes.VENCRYPT).appendByte((byte) SecurityTypes.VNC_AUTH);
      state = State.SECURITY;
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
    if (security.vencrypt() && chosen == SecurityTypes.VENCRYPT) {
      out.appendByte((byte) VENCRYPT_MAJOR).appendByte((byte) VENCRYPT_MINOR);
      state = State.VENCRYPT_VERSION;
      return true;
    }
    int offered = security == Security.NONE ? SecurityTypes.NONE : SecurityTypes.VNC_AUTH;
    if (security == Security.VENCRYPT || chosen != offered) {
      String reason = security == Security.VENCRYPT
          ? "this gateway requires TLS on its TCP front: the viewer chose security type "
              + SecurityTypes.describe(chosen) + " but only 19 (VeNCrypt, subtype X509Vnc) was offered;"
              + " TigerVNC: -SecurityTypes X509Vnc -X509CA <the gateway's CA file>"
          : "viewer chose security type " + SecurityTypes.describe(chosen)
              + " but only " + (security == Security.VENCRYPT_OR_VNC_AUTH
                  ? SecurityTypes.describe(SecurityTypes.VENCRYPT) + " and " : "")
              + SecurityTypes.describe(offered) + " " + (security == Security.VENCRYPT_OR_VNC_AUTH ? "were" : "was")
              + " offered";
      securityFailure(out, reason);
      return fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, reason));
    }
    if (security.vncAuth()) {
      sendChallenge(out);
    } else {
      if (version == RfbVersion.V3_8) {
        out.appendInt(0);
      }
      state = State.CLIENT_INIT;
    }
    return true;
  }

  /** The viewer's VeNCrypt version: 0.2, the only one spoken (0.1 is obsolete, TigerVNC refuses it too). */
  private boolean vencryptVersion(Buffer out) {
    if (in.available() < 2) {
      return false;
    }
    int major = in.u8(0);
    int minor = in.u8(1);
    in.skip(2);
    if (major != VENCRYPT_MAJOR || minor != VENCRYPT_MINOR) {
      String reason = "the viewer asked for VeNCrypt version " + major + "." + minor
          + "; this gateway speaks only version 0.2";
      out.appendByte((byte) 0xFF);
      securityFailure(out, reason);
      return fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, reason));
    }
    out.appendByte((byte) 0).appendByte((byte) 1).appendInt(X509_VNC);
    state = State.VENCRYPT_SUBTYPE;
    return true;
  }

  /** The viewer's {@code U32} VeNCrypt subtype, which must be X509Vnc. */
  private boolean vencryptSubtype(Buffer out) {
    if (in.available() < 4) {
      return false;
    }
    long chosen = in.u32(0);
    in.skip(4);
    if (chosen != X509_VNC) {
      String reason = "the viewer chose VeNCrypt subtype " + subtypeName(chosen)
          + " but only 261 (X509Vnc: TLS with the gateway's certificate, then the ticket as VNC password) was offered";
      out.appendByte((byte) 0);
      securityFailure(out, reason);
      return fail(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, reason));
    }
    out.appendByte((byte) 1); // go ahead with TLS
    tlsChosen = true;
    state = State.TLS;
    return false;
  }

  private static String subtypeName(long subtype) {
    String name = switch ((int) Math.min(subtype, Integer.MAX_VALUE)) {
      case 256 -> "Plain";
      case 257 -> "TLSNone";
      case 258 -> "TLSVnc";
      case 259 -> "TLSPlain";
      case 260 -> "X509None";
      case 261 -> "X509Vnc";
      case 262 -> "X509Plain";
      case 263 -> "TLSSASL";
      case 264 -> "X509SASL";
      default -> null;
    };
    return name == null ? String.valueOf(subtype) : subtype + " (" + name + ")";
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
