package io.vncgate.gateway.rfb;

import static io.vncgate.gateway.rfb.ClientMessageType.CLIENT_FENCE;
import static io.vncgate.gateway.rfb.ClientMessageType.CLIPBOARD_CAPS;
import static io.vncgate.gateway.rfb.ClientMessageType.ENABLE_CONTINUOUS_UPDATES;
import static io.vncgate.gateway.rfb.ClientMessageType.FRAMEBUFFER_UPDATE_REQUEST;
import static io.vncgate.gateway.rfb.ClientMessageType.QEMU_AUDIO;
import static io.vncgate.gateway.rfb.ClientMessageType.SET_ENCODINGS;
import static io.vncgate.gateway.rfb.ClientMessageType.SET_PIXEL_FORMAT;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_SET_SCALE;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_SET_SERVER_INPUT;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_SET_SW;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** Which client-to-server messages a role may send; the rest are dropped and counted. */
@FunctionalInterface
public interface MessagePolicy {

  boolean allows(ClientMessageType type);

  /** Why a message was dropped under this policy, for logs: e.g. {@code "role view"}. */
  default String describe() {
    return "message policy";
  }

  /** Role {@code control}: everything but UltraVNC SetScale, SetServerInput and SetSW. */
  MessagePolicy CONTROLLER = new ByRole("control",
      EnumSet.complementOf(EnumSet.of(ULTRA_SET_SCALE, ULTRA_SET_SERVER_INPUT, ULTRA_SET_SW)));

  /** Role {@code view}: per-connection state and harmless messages only, no input. */
  MessagePolicy OBSERVER = new ByRole("view", EnumSet.of(SET_PIXEL_FORMAT, SET_ENCODINGS,
      FRAMEBUFFER_UPDATE_REQUEST, ENABLE_CONTINUOUS_UPDATES, CLIENT_FENCE, CLIPBOARD_CAPS, QEMU_AUDIO));

  /** A whitelist named after a role; {@link #describe()} is {@code "role <name>"}. */
  final class ByRole implements MessagePolicy {
    private final String role;
    private final Set<ClientMessageType> allowed;
    private final String description;

    public ByRole(String role, Set<ClientMessageType> allowed) {
      this.role = Objects.requireNonNull(role, "role");
      this.allowed = allowed.isEmpty()
          ? EnumSet.noneOf(ClientMessageType.class) : EnumSet.copyOf(allowed);
      this.description = "role " + role;
    }

    public String role() {
      return role;
    }

    @Override
    public boolean allows(ClientMessageType type) {
      return allowed.contains(type);
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public String toString() {
      return description + " " + allowed;
    }
  }
}
