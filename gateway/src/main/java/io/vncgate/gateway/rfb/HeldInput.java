package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys and pointer buttons one viewer holds down on its target, read from the input messages
 * forwarded for it, and the messages that let them go. A server keeps a key down until it reads
 * the key's release, whoever sends it: when control moves away from a viewer that held Shift or a
 * mouse button (a take-over in the middle of a drag or a chord), the gateway sends the releases
 * itself, or the desktop would stay shifted for the next person. On one loop (its framer's).
 */
final class HeldInput {
  /**
   * Keys tracked at most: a keyboard has fewer, and a viewer that presses more distinct keysyms
   * without letting go is not a person; past it the oldest press is forgotten (not released).
   */
  static final int MAX_KEYS = 64;
  private static final long QEMU_KEY = 1L << 32;

  /** By keysym (KeyEvent) or {@code QEMU_KEY | keycode} (QEMU extended key event): the press as forwarded. */
  private final Map<Long, byte[]> keys = new LinkedHashMap<>();
  private int buttons;
  private int x;
  private int y;

  /** A whole KeyEvent, QEMU extended key event or PointerEvent at the read position of {@code in} was forwarded. */
  void passed(ClientMessageType type, ByteQueue in, int length) {
    switch (type) {
      case KEY_EVENT -> key(in.u32(4), in.u8(1) != 0, in, length);
      case QEMU_KEY_EVENT -> {
        long keycode = in.u32(8);
        // QEMU acts on the keycode when there is one, else on the keysym (as a plain KeyEvent)
        key(keycode != 0 ? QEMU_KEY | keycode : in.u32(4), in.u16(2) != 0, in, length);
      }
      case POINTER_EVENT -> {
        buttons = in.u8(1) & 0x7F;
        if (length == 7) buttons |= in.u8(6) << 7; // ExtendedMouseButtons: buttons 8 and up
        x = in.u16(2);
        y = in.u16(4);
      }
      default -> { }
    }
  }

  private void key(long id, boolean down, ByteQueue in, int length) {
    if (!down) {
      keys.remove(id);
      return;
    }
    if (!keys.containsKey(id) && keys.size() == MAX_KEYS) {
      Iterator<Long> oldest = keys.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    keys.put(id, in.bytes(0, length));
  }

  boolean any() {
    return buttons != 0 || !keys.isEmpty();
  }

  /**
   * The releases of what is held that {@code policy} no longer lets the viewer send (the keys in
   * the reverse order of their presses, then the buttons at the pointer's last place), and forgets
   * them; empty when nothing is.
   */
  Buffer releases(MessagePolicy policy) {
    Buffer out = Buffer.buffer();
    List<Map.Entry<Long, byte[]>> held = new ArrayList<>(keys.entrySet());
    for (int i = held.size() - 1; i >= 0; i--) {
      byte[] press = held.get(i).getValue();
      boolean qemu = press.length == 12;
      if (policy.allows(qemu ? ClientMessageType.QEMU_KEY_EVENT : ClientMessageType.KEY_EVENT)) continue;
      Buffer release = Buffer.buffer(press);
      if (qemu) release.setShort(2, (short) 0);
      else release.setByte(1, (byte) 0);
      out.appendBuffer(release);
      keys.remove(held.get(i).getKey());
    }
    if (buttons != 0 && !policy.allows(ClientMessageType.POINTER_EVENT)) {
      // a 6-byte event: every server reads it as all buttons up, the extended ones included
      out.appendByte((byte) ClientMessageType.Wire.POINTER_EVENT).appendByte((byte) 0)
          .appendUnsignedShort(x).appendUnsignedShort(y);
      buttons = 0;
    }
    return out;
  }

  /** The releases of everything held, whatever the policy (the viewer leaves a shared upstream), and forgets it. */
  Buffer releaseAll() {
    return releases(type -> false);
  }
}
