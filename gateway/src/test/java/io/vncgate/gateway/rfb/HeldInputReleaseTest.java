package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A take-over in the middle of a chord or a drag: the keys and buttons the old controller held
 * down are released on the target by the gateway, once, in the order a person would let go; and
 * an input message that was still arriving when control moved is judged by the new role.
 */
class HeldInputReleaseTest {
  private static final int SHIFT_L = 0xffe1;
  private static final int CONTROL_L = 0xffe3;
  private static final long CAP = 1 << 20;

  private final List<String> drops = new ArrayList<>();
  private final ClientMessageFramer framer = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true,
      (type, bytes, reason, why) -> drops.add(type + " " + reason + " " + why));

  private static byte[] key(boolean down, int keysym) {
    return Wire.of().u8(4, down ? 1 : 0, 0, 0).u32(keysym).bytes();
  }

  private static byte[] qemuKey(boolean down, int keysym, int keycode) {
    return Wire.of().u8(255, 0).u16(down ? 1 : 0).u32(keysym).u32(keycode).bytes();
  }

  private static byte[] pointer(int mask, int x, int y) {
    return Wire.of().u8(5, mask).u16(x).u16(y).bytes();
  }

  private String feed(byte[]... parts) throws RfbException {
    Buffer in = Buffer.buffer();
    for (byte[] p : parts) in.appendBytes(p);
    return Wire.hex(framer.feed(in).getBytes());
  }

  private static String hex(byte[]... parts) {
    Buffer b = Buffer.buffer();
    for (byte[] p : parts) b.appendBytes(p);
    return Wire.hex(b.getBytes());
  }

  @Test
  void takeOverReleasesTheHeldKeysInReverseOrderAndTheButtonsOnce() throws RfbException {
    feed(key(true, SHIFT_L), key(true, CONTROL_L), key(true, 'a'), key(false, 'a'), pointer(1, 100, 200),
        pointer(1, 120, 210));
    framer.policy(MessagePolicy.OBSERVER);
    assertEquals(hex(key(false, CONTROL_L), key(false, SHIFT_L), pointer(0, 120, 210)), feed());
    assertEquals("", feed(), "released once");
    // the old controller's own key-up now comes as an observer's: dropped, and nothing is held twice
    assertEquals("", feed(key(false, SHIFT_L)));
    assertEquals(List.of("KEY_EVENT ROLE role view"), drops);
  }

  @Test
  void theReleasesComeBeforeWhatArrivesWithTheNextRead() throws RfbException {
    feed(key(true, SHIFT_L));
    framer.policy(MessagePolicy.OBSERVER);
    byte[] request = Wire.of().u8(3, 1).u16(0).u16(0).u16(10).u16(10).bytes();
    assertEquals(hex(key(false, SHIFT_L), request), feed(request));
  }

  @Test
  void aKeyEventStillArrivingWhenControlMovesIsJudgedByTheNewRole() throws RfbException {
    byte[] press = key(true, SHIFT_L);
    assertEquals("", feed(Arrays.copyOf(press, 3)), "its header is judged, the rest is awaited");
    framer.policy(MessagePolicy.OBSERVER);
    assertEquals("", feed(Arrays.copyOfRange(press, 3, 8)), "not forwarded: control moved");
    assertEquals(List.of("KEY_EVENT ROLE role view"), drops);
    framer.policy(MessagePolicy.CONTROLLER);
    assertEquals("", feed(), "nothing was held, nothing to release");
    assertEquals("", Wire.hex(framer.releaseHeld().getBytes()));
  }

  @Test
  void qemuKeysAreReleasedByKeycodeAndKeysLetGoAreNotReleasedAgain() throws RfbException {
    feed(qemuKey(true, 'a', 0x1e), qemuKey(true, SHIFT_L, 0x2a), qemuKey(false, SHIFT_L, 0x2a), key(true, CONTROL_L));
    assertEquals(hex(key(false, CONTROL_L), qemuKey(false, 'a', 0x1e)), Wire.hex(framer.releaseHeld().getBytes()));
    assertEquals("", Wire.hex(framer.releaseHeld().getBytes()));
  }

  @Test
  void aControllerThatStaysInControlKeepsItsKeys() throws RfbException {
    feed(key(true, SHIFT_L), pointer(4, 5, 6));
    framer.policy(MessagePolicy.CONTROLLER);
    assertEquals(hex(key(true, 'b')), feed(key(true, 'b')));
    assertEquals(hex(key(false, 'b'), key(false, SHIFT_L), pointer(0, 5, 6)), Wire.hex(framer.releaseHeld().getBytes()));
  }

  @Test
  void aViewerPressingEndlessDistinctKeysIsRememberedUpToTheCap() throws RfbException {
    for (int i = 0; i < HeldInput.MAX_KEYS + 10; i++) feed(key(true, 0x100 + i));
    Buffer releases = framer.releaseHeld();
    assertEquals(HeldInput.MAX_KEYS * 8, releases.length());
    assertEquals(0x100 + HeldInput.MAX_KEYS + 9, releases.getInt(4), "the newest press is released first");
    assertEquals(0x100 + 10, releases.getInt(releases.length() - 4), "the oldest ten were forgotten");
  }
}
