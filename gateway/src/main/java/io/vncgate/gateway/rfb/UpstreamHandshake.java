package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep.Continue;
import io.vncgate.gateway.rfb.HandshakeStep.Failed;
import io.vncgate.gateway.rfb.HandshakeStep.Ready;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import java.util.Locale;

/**
 * The gateway as RFB client to the target, from the server's banner to ServerInit: negotiates the
 * version, picks None or VNC authentication, answers the challenge, sends ClientInit shared=1 and
 * reads ServerInit. Socket-free: feed what the target sent, write what comes back.
 */
public final class UpstreamHandshake {

  /** Longest desktop name accepted in ServerInit. */
  static final long MAX_NAME_BYTES = 64 * 1024;

  private static final int CLIENT_INIT_SHARED = 1;

  private enum State { PROTOCOL_VERSION, SECURITY, VNC_AUTH, SECURITY_RESULT, SERVER_INIT, DONE, FAILED }

  private final byte[] password;
  private final ByteQueue in = new ByteQueue();
  private State state = State.PROTOCOL_VERSION;
  private RfbVersion version;
  private boolean vncAuth;
  private ServerInit serverInit;
  private RfbFailure failure;

  /** @param vncPasswordOrNull the target's VNC password, or null when none is configured */
  public UpstreamHandshake(byte[] vncPasswordOrNull) {
    this.password = vncPasswordOrNull == null ? null : vncPasswordOrNull.clone();
  }

  /** Where the handshake stands, named after the spec (for logs and timeout messages). */
  public String phase() {
    return state.name();
  }

  /** The version negotiated with the target, null before its banner was read. */
  public RfbVersion version() {
    return version;
  }

  /**
   * Feeds bytes from the target. Returns {@link Continue} (write its output, wait for more),
   * {@link Ready} (write its output, relay from here; {@code leftover} are the target's first
   * post-handshake bytes) or {@link Failed} (close). After Failed every call returns the same
   * failure with empty output.
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
    Buffer out = Buffer.buffer();
    while (state != State.DONE && state != State.FAILED && step(out)) {
      // one whole message per step
    }
    if (state == State.FAILED) {
      in.clear();
      return new Failed(out, failure);
    }
    if (state == State.DONE) {
      return new Ready(out, serverInit, true, in.takeAll());
    }
    in.settle(0);
    return new Continue(out);
  }

  /** Consumes one whole message if it is there; false when more bytes are needed. */
  private boolean step(Buffer out) {
    return switch (state) {
      case PROTOCOL_VERSION -> protocolVersion(out);
      case SECURITY -> version == RfbVersion.V3_3 ? securityType33(out) : securityTypes(out);
      case VNC_AUTH -> vncAuth(out);
      case SECURITY_RESULT -> securityResult(out);
      case SERVER_INIT -> serverInit();
      case DONE, FAILED -> false;
    };
  }

  private boolean protocolVersion(Buffer out) {
    int avail = in.available();
    byte[] seen = in.bytes(0, Math.min(avail, 64));
    if (!RfbVersion.isBannerPrefix(seen, seen.length)) {
      return fail(Cause.NOT_RFB, RfbVersion.notRfbMessage(seen, seen.length));
    }
    if (avail < RfbVersion.BANNER_LENGTH) {
      return false;
    }
    try {
      version = RfbVersion.fromServerBanner(in.take(RfbVersion.BANNER_LENGTH));
    } catch (RfbException e) {
      return fail(e.failure());
    }
    out.appendBuffer(version.banner());
    state = State.SECURITY;
    return true;
  }

  /** 3.7/3.8: {@code U8 n, U8[n] types}, or n = 0 and a reason. */
  private boolean securityTypes(Buffer out) {
    if (in.available() < 1) {
      return false;
    }
    int n = in.u8(0);
    if (n == 0) {
      return reason(1, Cause.SERVER_REFUSED);
    }
    if (in.available() < 1 + n) {
      return false;
    }
    long[] offered = new long[n];
    for (int i = 0; i < n; i++) {
      offered[i] = in.u8(1 + i);
    }
    in.skip(1 + n);
    boolean none = contains(offered, SecurityTypes.NONE);
    boolean vnc = contains(offered, SecurityTypes.VNC_AUTH);
    if (vnc && password != null) {
      out.appendByte((byte) SecurityTypes.VNC_AUTH);
      return startVncAuth();
    }
    if (none) {
      out.appendByte((byte) SecurityTypes.NONE);
      return securityDone(out, version == RfbVersion.V3_8);
    }
    return vnc ? passwordRequired() : fail(Cause.NO_COMMON_SECURITY, SecurityTypes.noCommonType(offered));
  }

  /** 3.3: the server decides, {@code U32 type}; 0 is followed by a reason. */
  private boolean securityType33(Buffer out) {
    if (in.available() < 4) {
      return false;
    }
    long type = in.u32(0);
    if (type == SecurityTypes.INVALID) {
      return reason(4, Cause.SERVER_REFUSED);
    }
    in.skip(4);
    if (type == SecurityTypes.NONE) {
      return securityDone(out, false);
    }
    if (type == SecurityTypes.VNC_AUTH) {
      return password == null ? passwordRequired() : startVncAuth();
    }
    return fail(Cause.NO_COMMON_SECURITY, SecurityTypes.noCommonType(new long[] {type}));
  }

  private boolean startVncAuth() {
    vncAuth = true;
    state = State.VNC_AUTH;
    return true;
  }

  private boolean vncAuth(Buffer out) {
    if (in.available() < VncAuth.CHALLENGE_LENGTH) {
      return false;
    }
    out.appendBytes(VncAuth.response(in.take(VncAuth.CHALLENGE_LENGTH), password));
    state = State.SECURITY_RESULT;
    return true;
  }

  /** {@code U32}: 0 OK, 1 failed, 2 too many attempts; 3.8 adds a reason to a failure. */
  private boolean securityResult(Buffer out) {
    if (in.available() < 4) {
      return false;
    }
    long result = in.u32(0);
    if (result == 0) {
      in.skip(4);
      return securityDone(out, false);
    }
    Cause cause = result == 2 ? Cause.TOO_MANY_ATTEMPTS : vncAuth ? Cause.AUTH_FAILED : Cause.SERVER_REFUSED;
    if (version == RfbVersion.V3_8) {
      return reason(4, cause);
    }
    in.skip(4);
    return fail(cause, defaultMessage(cause));
  }

  /** Security is settled: a SecurityResult may still come, else ClientInit goes out now. */
  private boolean securityDone(Buffer out, boolean resultFollows) {
    if (resultFollows) {
      state = State.SECURITY_RESULT;
    } else {
      out.appendByte((byte) CLIENT_INIT_SHARED);
      state = State.SERVER_INIT;
    }
    return true;
  }

  private boolean serverInit() {
    if (in.available() < ServerInit.FIXED_LENGTH) {
      return false;
    }
    long nameLength = in.u32(ServerInit.FIXED_LENGTH - 4);
    if (nameLength > MAX_NAME_BYTES) {
      return fail(Cause.PROTOCOL_ERROR, "the server sent a desktop name of " + nameLength
          + " bytes, more than the limit of " + MAX_NAME_BYTES);
    }
    if (in.available() < ServerInit.FIXED_LENGTH + nameLength) {
      return false;
    }
    int width = in.u16(0);
    int height = in.u16(2);
    byte[] pixelFormat = in.bytes(4, ServerInit.PIXEL_FORMAT_LENGTH);
    String name = RfbText.decode(in.bytes(ServerInit.FIXED_LENGTH, (int) nameLength));
    in.skip(ServerInit.FIXED_LENGTH + (int) nameLength);
    serverInit = new ServerInit(width, height, pixelFormat, name);
    state = State.DONE;
    return true;
  }

  /** Reads {@code U32 len, reason} after {@code headerLength} bytes and fails with it. */
  private boolean reason(int headerLength, Cause cause) {
    if (in.available() < headerLength + 4) {
      return false;
    }
    long length = in.u32(headerLength);
    if (length > RfbText.MAX_REASON_BYTES) {
      return fail(Cause.PROTOCOL_ERROR, "the server sent a failure reason of " + length
          + " bytes, more than the limit of " + RfbText.MAX_REASON_BYTES);
    }
    if (in.available() < headerLength + 4 + length) {
      return false;
    }
    String reason = RfbText.decode(in.bytes(headerLength + 4, (int) length));
    if (reason.toLowerCase(Locale.ROOT).contains("too many")) {
      // refused at the security step, before this connection sent a password: the target blocks
      // the source address (TigerVNC's blacklist); after a password: the login itself failed
      cause = state == State.SECURITY ? Cause.ADDRESS_BLOCKED : Cause.TOO_MANY_ATTEMPTS;
    }
    return fail(cause, reason.isEmpty() ? defaultMessage(cause) : reason);
  }

  private static String defaultMessage(Cause cause) {
    return switch (cause) {
      case AUTH_FAILED -> "the server rejected the VNC password";
      case TOO_MANY_ATTEMPTS -> "the server reports too many failed authentication attempts";
      default -> "the server refused the connection without giving a reason";
    };
  }

  private boolean passwordRequired() {
    return fail(Cause.PASSWORD_REQUIRED,
        "the server requires a VNC password but none is configured for this target");
  }

  private boolean fail(Cause cause, String message) {
    return fail(new RfbFailure(cause, message));
  }

  private boolean fail(RfbFailure f) {
    failure = f;
    state = State.FAILED;
    return false;
  }

  private static boolean contains(long[] types, int type) {
    for (long t : types) {
      if (t == type) {
        return true;
      }
    }
    return false;
  }
}
