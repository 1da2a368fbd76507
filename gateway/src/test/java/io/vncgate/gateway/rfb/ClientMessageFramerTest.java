package io.vncgate.gateway.rfb;

import static io.vncgate.gateway.rfb.ClientMessageType.CLIENT_CUT_TEXT;
import static io.vncgate.gateway.rfb.ClientMessageType.CLIENT_FENCE;
import static io.vncgate.gateway.rfb.ClientMessageType.CLIPBOARD_CAPS;
import static io.vncgate.gateway.rfb.ClientMessageType.ENABLE_CONTINUOUS_UPDATES;
import static io.vncgate.gateway.rfb.ClientMessageType.FRAMEBUFFER_UPDATE_REQUEST;
import static io.vncgate.gateway.rfb.ClientMessageType.GII;
import static io.vncgate.gateway.rfb.ClientMessageType.KEY_EVENT;
import static io.vncgate.gateway.rfb.ClientMessageType.POINTER_EVENT;
import static io.vncgate.gateway.rfb.ClientMessageType.QEMU_AUDIO;
import static io.vncgate.gateway.rfb.ClientMessageType.QEMU_KEY_EVENT;
import static io.vncgate.gateway.rfb.ClientMessageType.SET_DESKTOP_SIZE;
import static io.vncgate.gateway.rfb.ClientMessageType.SET_ENCODINGS;
import static io.vncgate.gateway.rfb.ClientMessageType.SET_PIXEL_FORMAT;
import static io.vncgate.gateway.rfb.ClientMessageType.TEXT_CHAT;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_FILE_TRANSFER;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_SET_SCALE;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_SET_SERVER_INPUT;
import static io.vncgate.gateway.rfb.ClientMessageType.ULTRA_SET_SW;
import static io.vncgate.gateway.rfb.ClientMessageType.XVP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbFailure.Cause;
import io.vncgate.gateway.rfb.Splits.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientMessageFramerTest {

  private static final long CAP = 1 << 20;
  private static final int EXT_MOUSE = -316;
  private static final int EXT_CLIPBOARD = 0xC0A1E5CE;

  // ---------------------------------------------------------------- vectors, built by hand

  static byte[] setPixelFormat() {
    return Wire.of().u8(0, 0, 0, 0).raw(Wire.pixelFormat32()).bytes();
  }

  static byte[] setEncodings(int... encodings) {
    Wire w = Wire.of().u8(2, 0).u16(encodings.length);
    for (int e : encodings) {
      w.s32(e);
    }
    return w.bytes();
  }

  static byte[] fbur() {
    return Wire.of().u8(3, 1).u16(0).u16(0).u16(1024).u16(768).bytes();
  }

  static byte[] key(int keysym) {
    return Wire.of().u8(4, 1, 0, 0).u32(keysym).bytes();
  }

  static byte[] pointer(int mask) {
    return Wire.of().u8(5, mask).u16(100).u16(200).bytes();
  }

  static byte[] extendedPointer(int mask, int extra) {
    return Wire.of().u8(5, mask).u16(100).u16(200).u8(extra).bytes();
  }

  static byte[] cutText(String latin1) {
    return Wire.of().u8(6, 0, 0, 0).u32(latin1.length()).ascii(latin1).bytes();
  }

  /** Extended clipboard: {@code S32 -(4 + payload)}, flags, payload. */
  static byte[] extendedClipboard(int flags, byte[] payload) {
    return Wire.of().u8(6, 0, 0, 0).s32(-(4 + payload.length)).s32(flags).raw(payload).bytes();
  }

  static byte[] fileTransfer(byte[] data) {
    return Wire.of().u8(7, 5, 0, 0).u32(0).u32(data.length).raw(data).bytes();   // FilePacket
  }

  static byte[] setScale() {
    return Wire.of().u8(8, 2, 0, 0).bytes();
  }

  static byte[] setServerInput() {
    return Wire.of().u8(9, 1, 0, 0).bytes();
  }

  static byte[] setSw() {
    return Wire.of().u8(10, 0).u16(1).u16(1).bytes();
  }

  static byte[] textChat(String text) {
    return Wire.of().u8(11, 0, 0, 0).u32(text.length()).ascii(text).bytes();
  }

  static byte[] textChatControl(long code) {
    return Wire.of().u8(11, 0, 0, 0).u32(code).bytes();
  }

  static byte[] enableContinuousUpdates() {
    return Wire.of().u8(150, 1).u16(0).u16(0).u16(1024).u16(768).bytes();
  }

  static byte[] fence(int payload) {
    return Wire.of().u8(248, 0, 0, 0).u32(0x80000002L).u8(payload).zeros(payload).bytes();
  }

  static byte[] xvp() {
    return Wire.of().u8(250, 0, 1, 2).bytes();
  }

  static byte[] setDesktopSize(int screens) {
    Wire w = Wire.of().u8(251, 0).u16(1920).u16(1080).u8(screens, 0);
    for (int i = 0; i < screens; i++) {
      w.u32(i).u16(0).u16(0).u16(1920).u16(1080).u32(0);
    }
    return w.bytes();
  }

  static byte[] giiBigEndian(int length) {
    return Wire.of().u8(253, 0x80 | 1).u16(length).zeros(length).bytes();
  }

  static byte[] giiLittleEndian(int length) {
    return Wire.of().u8(253, 1).u16le(length).zeros(length).bytes();
  }

  static byte[] qemuKey() {
    return Wire.of().u8(255, 0).u16(1).u32(0x61).u32(0x1e).bytes();
  }

  static byte[] qemuAudio(int operation) {
    Wire w = Wire.of().u8(255, 1).u16(operation);
    return operation == 2 ? w.u8(3, 2).u32(44100).bytes() : w.bytes();
  }

  private static byte[] cat(byte[]... parts) {
    return Wire.concat(parts);
  }

  // ---------------------------------------------------------------- harness

  record Drop(ClientMessageType type, long bytes, String why) {}

  /** A drop as told, its closed reason checked against its words (the metrics label comes from the reason). */
  static Drop drop(ClientMessageType type, long bytes, DropReason reason, String why) {
    DropReason expected = why.startsWith(ClientMessageFramer.MALFORMED) ? DropReason.MALFORMED
        : why.contains("exceeds the limit") ? DropReason.SIZE : why.endsWith(" disabled") ? DropReason.POLICY : DropReason.ROLE;
    assertEquals(expected, reason, why);
    return new Drop(type, bytes, why);
  }

  record Run(byte[] forwarded, List<Drop> drops, ClientMessageFramer framer) {}

  private static Run run(MessagePolicy policy, long cap, boolean clipboard, List<Buffer> parts)
      throws RfbException {
    List<Drop> drops = new ArrayList<>();
    ClientMessageFramer framer = new ClientMessageFramer(policy, cap, clipboard,
        (t, b, r, w) -> drops.add(drop(t, b, r, w)));
    Buffer out = Buffer.buffer();
    for (Buffer part : parts) {
      out.appendBuffer(framer.feed(part));
    }
    return new Run(out.getBytes(), drops, framer);
  }

  /** Every split: exactly {@code forwarded} comes out, exactly {@code drops} are reported. */
  private static void assertFraming(MessagePolicy policy, long cap, boolean clipboard, byte[] input,
      byte[] forwarded, List<Drop> drops, long passed) throws RfbException {
    for (Split split : Splits.of(input)) {
      Run r = run(policy, cap, clipboard, split.buffers());
      assertEquals(Wire.hex(forwarded), Wire.hex(r.forwarded()), split.label());
      assertEquals(drops, r.drops(), split.label());
      assertEquals(passed, r.framer().messagesPassed(), split.label());
      assertEquals(drops.size(), r.framer().messagesDropped(), split.label());
    }
  }

  private static void assertPassesUnchanged(byte[] input, long messages) throws RfbException {
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, input, input, List.of(), messages);
  }

  /** The types the policy was asked about, in order, for every split; everything passes. */
  private static void assertClassifiedAs(byte[] input, ClientMessageType... types) throws RfbException {
    for (Split split : Splits.of(input)) {
      List<ClientMessageType> asked = new ArrayList<>();
      Run r = run(t -> asked.add(t), CAP, true, split.buffers());
      assertEquals(List.of(types), asked, split.label());
      assertEquals(Wire.hex(input), Wire.hex(r.forwarded()), split.label());
    }
  }

  private static void assertRejected(byte[] input, String message) {
    for (Split split : Splits.of(input)) {
      ClientMessageFramer framer = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
      RfbException thrown = null;
      for (Buffer part : split.buffers()) {
        try {
          framer.feed(part);
        } catch (RfbException e) {
          thrown = e;
          break;
        }
      }
      if (thrown == null) {
        fail(split.label() + ": no exception");
      }
      assertEquals(new RfbFailure(Cause.VIEWER_PROTOCOL_ERROR, message), thrown.failure(), split.label());
      assertEquals(0, thrown.getStackTrace().length);
      RfbException again = assertThrows(RfbException.class, () -> framer.feed(Buffer.buffer(fbur())));
      assertSame(thrown, again);
    }
  }

  // ---------------------------------------------------------------- length rules, one per type

  @Test
  void fixedLengthMessagesPassByteIdentical() throws RfbException {
    byte[] all = cat(setPixelFormat(), fbur(), key(0xff0d), pointer(1), enableContinuousUpdates(), xvp(),
        qemuKey(), qemuAudio(0), qemuAudio(1), qemuAudio(2));
    assertPassesUnchanged(all, 10);
    assertClassifiedAs(all, SET_PIXEL_FORMAT, FRAMEBUFFER_UPDATE_REQUEST, KEY_EVENT, POINTER_EVENT,
        ENABLE_CONTINUOUS_UPDATES, XVP, QEMU_KEY_EVENT, QEMU_AUDIO, QEMU_AUDIO, QEMU_AUDIO);
  }

  @Test
  void setEncodingsIsFourPlusFourPerEncoding() throws RfbException {
    byte[] all = cat(setEncodings(), setEncodings(7, 16, 0, -223, -308, EXT_CLIPBOARD), fbur());
    assertPassesUnchanged(all, 3);
    assertClassifiedAs(all, SET_ENCODINGS, SET_ENCODINGS, FRAMEBUFFER_UPDATE_REQUEST);
  }

  @Test
  void classicCutTextIsEightPlusLength() throws RfbException {
    byte[] all = cat(cutText(""), cutText("hello\u00e9"), key(1));
    assertPassesUnchanged(all, 3);
    assertClassifiedAs(all, CLIENT_CUT_TEXT, CLIENT_CUT_TEXT, KEY_EVENT);
  }

  @Test
  void fileTransferIsTwelvePlusLength() throws RfbException {
    byte[] all = cat(fileTransfer(new byte[0]), fileTransfer(new byte[] {1, 2, 3, 4, 5}), key(1));
    assertPassesUnchanged(all, 3);
    assertClassifiedAs(all, ULTRA_FILE_TRANSFER, ULTRA_FILE_TRANSFER, KEY_EVENT);
  }

  @Test
  void textChatIsEightPlusLengthAndControlCodesHaveNoData() throws RfbException {
    byte[] all = cat(textChat("hi there"), textChatControl(0xFFFFFFFFL), textChatControl(0xFFFFFFFEL),
        textChatControl(0xFFFFFFFDL), key(1));
    assertPassesUnchanged(all, 5);
    assertClassifiedAs(all, TEXT_CHAT, TEXT_CHAT, TEXT_CHAT, TEXT_CHAT, KEY_EVENT);
  }

  @Test
  void fenceIsNinePlusPayloadUpTo64() throws RfbException {
    byte[] all = cat(fence(0), fence(4), fence(64), fbur());
    assertPassesUnchanged(all, 4);
    assertClassifiedAs(all, CLIENT_FENCE, CLIENT_FENCE, CLIENT_FENCE, FRAMEBUFFER_UPDATE_REQUEST);
  }

  @Test
  void setDesktopSizeIsEightPlusSixteenPerScreen() throws RfbException {
    byte[] all = cat(setDesktopSize(1), setDesktopSize(3), fbur());
    assertPassesUnchanged(all, 3);
    assertClassifiedAs(all, SET_DESKTOP_SIZE, SET_DESKTOP_SIZE, FRAMEBUFFER_UPDATE_REQUEST);
  }

  @Test
  void giiLengthFollowsTheEndianFlag() throws RfbException {
    byte[] all = cat(giiBigEndian(0x0102), giiLittleEndian(0x0102), giiBigEndian(0), fbur());
    assertEquals(4 + 0x0102, giiBigEndian(0x0102).length);
    assertPassesUnchanged(all, 4);
    assertClassifiedAs(all, GII, GII, GII, FRAMEBUFFER_UPDATE_REQUEST);
  }

  @Test
  void ultraScaleServerInputAndSwAreDroppedForTheControllerToo() throws RfbException {
    byte[] all = cat(setScale(), key(1), setServerInput(), setSw(), fbur());
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, all, cat(key(1), fbur()), List.of(
        new Drop(ULTRA_SET_SCALE, 4, "role control"),
        new Drop(ULTRA_SET_SERVER_INPUT, 4, "role control"),
        new Drop(ULTRA_SET_SW, 6, "role control")), 2);
  }

  // ---------------------------------------------------------------- extended pointer

  @Test
  void pointerWithBit7IsSevenBytesOnlyWhenTheViewerListsAndTheServerConfirmedExtendedMouseButtons()
      throws RfbException {
    byte[] all = cat(pointer(0x80), setEncodings(0, EXT_MOUSE), extendedPointer(0x80, 0x01), pointer(0x01),
        setEncodings(0, 7), pointer(0x80), key(1));
    for (Split split : Splits.of(all)) {
      List<ClientMessageType> asked = new ArrayList<>();
      ClientMessageFramer f = new ClientMessageFramer(t -> asked.add(t), CAP, true, null);
      f.extendedPointerConfirmed();
      Buffer out = Buffer.buffer();
      for (Buffer part : split.buffers()) out.appendBuffer(f.feed(part));
      assertEquals(Wire.hex(all), Wire.hex(out.getBytes()), split.label());
      assertEquals(List.of(POINTER_EVENT, SET_ENCODINGS, POINTER_EVENT, POINTER_EVENT, SET_ENCODINGS,
          POINTER_EVENT, KEY_EVENT), asked, split.label());
    }
  }

  /**
   * Issue #12, item 3: the viewer listing -316 is not enough. Xvnc 1.12 does not support the
   * extension and reads 6 bytes; the byte after them (here 0x06, a ClientCutText) is a message to
   * it. Until the server confirms, the gateway frames 6 and clears the marker bit, so a server
   * that does support it (TigerVNC 1.15 reads 7 on the viewer's word) reads 6 as well.
   */
  @Test
  void beforeTheServerConfirmsThePointerIsSixBytesWithTheMarkerBitCleared() throws RfbException {
    byte[] smuggle = cat(setEncodings(0, EXT_MOUSE), extendedPointer(0x81, 0x06),
        Wire.of().u8(0, 0, 0).u32(13).ascii("smuggled-text").bytes());
    // the gateway sees: SetEncodings, PointerEvent (6), ClientCutText of 13 bytes: dropped as clipboard
    assertFraming(MessagePolicy.CONTROLLER, CAP, false, smuggle,
        cat(setEncodings(0, EXT_MOUSE), pointer(0x01)),
        List.of(new Drop(CLIENT_CUT_TEXT, 21, "clipboard to server disabled")), 2);
    // not listed: bit 7 is the old button 8, left alone, 6 bytes
    assertPassesUnchanged(cat(pointer(0x80), key(1)), 2);
  }

  @Test
  void theServersConfirmationSwitchesToSevenBytesFromTheNextPointerEvent() throws RfbException {
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
    Buffer first = f.feed(Buffer.buffer(cat(setEncodings(EXT_MOUSE), pointer(0x80))));
    assertEquals(Wire.hex(cat(setEncodings(EXT_MOUSE), pointer(0x00))), Wire.hex(first.getBytes()));
    f.extendedPointerConfirmed();
    Buffer second = f.feed(Buffer.buffer(cat(extendedPointer(0x80, 0x01), pointer(0x01))));
    assertEquals(Wire.hex(cat(extendedPointer(0x80, 0x01), pointer(0x01))), Wire.hex(second.getBytes()));
    // the viewer's latest SetEncodings still decides: without -316 the server reads 6 again
    Buffer third = f.feed(Buffer.buffer(cat(setEncodings(0), pointer(0x80), key(1))));
    assertEquals(Wire.hex(cat(setEncodings(0), pointer(0x80), key(1))), Wire.hex(third.getBytes()));
  }

  @Test
  void extendedPointerFlagFollowsTheLatestSetEncodings() throws RfbException {
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
    f.feed(Buffer.buffer(setEncodings(EXT_MOUSE, EXT_CLIPBOARD)));
    assertTrue(f.extendedPointer() && f.extendedClipboard());
    f.feed(Buffer.buffer(setEncodings(EXT_CLIPBOARD)));
    assertTrue(!f.extendedPointer() && f.extendedClipboard());
  }

  @Test
  void setEncodingsDroppedByPolicyIsNotTracked() throws RfbException {
    MessagePolicy noEncodings = t -> t != SET_ENCODINGS;
    byte[] all = cat(setEncodings(EXT_MOUSE), pointer(0x80), key(1));
    assertFraming(noEncodings, CAP, true, all, cat(pointer(0x80), key(1)),
        List.of(new Drop(SET_ENCODINGS, 8, "message policy")), 2);
  }

  // ---------------------------------------------------------------- extended clipboard

  @Test
  void extendedClipboardCapsAloneIsClipboardCapsAnythingElseIsCutText() throws RfbException {
    byte[] caps = extendedClipboard(0x01000001, Wire.of().u32(1 << 20).bytes());
    byte[] provide = extendedClipboard(0x10000001, new byte[] {0x78, (byte) 0x9c, 1, 2, 3});
    byte[] request = extendedClipboard(0x02000001, new byte[0]);
    byte[] all = cat(setEncodings(EXT_CLIPBOARD), caps, provide, request, cutText("classic"));
    assertPassesUnchanged(all, 5);
    assertClassifiedAs(all, SET_ENCODINGS, CLIPBOARD_CAPS, CLIENT_CUT_TEXT, CLIENT_CUT_TEXT, CLIENT_CUT_TEXT);
    // caps also lists the actions its sender supports (TigerVNC's viewer sends caps|request|peek|
    // notify|provide): Xvnc, QEMU and libvncserver all read it as caps whatever else is set
    byte[] tigerVncCaps = extendedClipboard(0x1F000001, Wire.of().u32(20 << 20).bytes());
    byte[] withCaps = cat(setEncodings(EXT_CLIPBOARD), tigerVncCaps, key(1));
    assertPassesUnchanged(withCaps, 3);
    assertClassifiedAs(withCaps, SET_ENCODINGS, CLIPBOARD_CAPS, KEY_EVENT);
    assertFraming(MessagePolicy.OBSERVER, CAP, true, cat(setEncodings(EXT_CLIPBOARD), tigerVncCaps),
        cat(setEncodings(EXT_CLIPBOARD), tigerVncCaps), List.of(), 2);
    // without the caps bit, two actions at once are no one message servers agree on: not forwarded
    byte[] requestAndNotify = extendedClipboard(0x0A000001, new byte[0]);
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, cat(setEncodings(EXT_CLIPBOARD), requestAndNotify, key(1)),
        cat(setEncodings(EXT_CLIPBOARD), key(1)), List.of(new Drop(CLIENT_CUT_TEXT, 12, ClientMessageFramer.MALFORMED
            + "an extended clipboard message whose action bits 0xa are neither caps nor exactly one of request, peek,"
            + " notify, provide")), 2);
  }

  @Test
  void observerPassesClipboardCapsButNotProvide() throws RfbException {
    byte[] caps = extendedClipboard(0x01000001, Wire.of().u32(1 << 20).bytes());
    byte[] provide = extendedClipboard(0x10000001, new byte[] {9, 9, 9});
    byte[] all = cat(setEncodings(EXT_CLIPBOARD), caps, provide);
    assertFraming(MessagePolicy.OBSERVER, CAP, true, all, cat(setEncodings(EXT_CLIPBOARD), caps),
        List.of(new Drop(CLIENT_CUT_TEXT, 15, "role view")), 2);
  }

  @Test
  void negativeLengthWithoutNegotiationIsNeverForwarded() throws RfbException {
    // Xvnc reads it as extended anyway (and would parse a caps' tail as messages), libvncserver
    // and QEMU close: the gateway drops it
    byte[] caps = extendedClipboard(0x01000001, Wire.of().u32(1 << 20).bytes());
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, cat(caps, fbur()), fbur(),
        List.of(new Drop(CLIENT_CUT_TEXT, caps.length, ClientMessageFramer.MALFORMED + "an extended clipboard"
            + " message (negative length) but the viewer's SetEncodings does not enable the extended clipboard"
            + " (0xC0A1E5CE)")), 1);
    assertFraming(MessagePolicy.OBSERVER, CAP, true, cat(caps, fbur()), fbur(),
        List.of(new Drop(CLIENT_CUT_TEXT, caps.length, "role view")), 1);
  }

  // ---------------------------------------------------------------- canonical forms (issue #12, item 1)

  /**
   * The attack: an observer's caps message whose declared length covers a PointerEvent, a
   * KeyEvent and a ClientCutText after its one size. Xvnc reads 4 + 4 bytes of it and the rest as
   * messages; the gateway drops it whole, for observers and controllers alike.
   */
  @Test
  void aCapsMessageWithTrailingBytesIsDroppedWholeForEveryRole() throws RfbException {
    byte[] tail = cat(pointer(0x01), key(0xFFE5), cutText("pwned"));
    byte[] smuggler = extendedClipboard(0x01000001, cat(Wire.of().u32(1 << 20).bytes(), tail));
    String why = ClientMessageFramer.MALFORMED + "an extended clipboard caps message of " + (8 + tail.length)
        + " bytes, but its 1 formats make it 8";
    for (MessagePolicy policy : List.of(MessagePolicy.OBSERVER, MessagePolicy.CONTROLLER)) {
      assertFraming(policy, CAP, true, cat(setEncodings(EXT_CLIPBOARD), smuggler, fbur()),
          cat(setEncodings(EXT_CLIPBOARD), fbur()), List.of(new Drop(CLIPBOARD_CAPS, smuggler.length, why)), 2);
    }
    // short of its sizes: dropped too
    byte[] short1 = extendedClipboard(0x01000003, Wire.of().u32(1).bytes());
    assertFraming(MessagePolicy.OBSERVER, CAP, true, cat(setEncodings(EXT_CLIPBOARD), short1, fbur()),
        cat(setEncodings(EXT_CLIPBOARD), fbur()), List.of(new Drop(CLIPBOARD_CAPS, 16,
            ClientMessageFramer.MALFORMED + "an extended clipboard caps message of 8 bytes, but its 2 formats make it 12")), 2);
  }

  @Test
  void requestPeekAndNotifyAreTheirFlagsAlone() throws RfbException {
    byte[] exact = cat(extendedClipboard(0x02000001, new byte[0]), extendedClipboard(0x04000000, new byte[0]),
        extendedClipboard(0x08000001, new byte[0]));
    assertPassesUnchanged(cat(setEncodings(EXT_CLIPBOARD), exact), 4);
    byte[] notifyWithTail = extendedClipboard(0x08000001, key(0x61));
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, cat(setEncodings(EXT_CLIPBOARD), notifyWithTail, fbur()),
        cat(setEncodings(EXT_CLIPBOARD), fbur()), List.of(new Drop(CLIENT_CUT_TEXT, 20, ClientMessageFramer.MALFORMED
            + "an extended clipboard notify message of 12 bytes, but it is its 4 bytes of flags only")), 2);
  }

  @Test
  void aFileTransferCarriesDataOnlyWhereLibvncserverReadsIt() throws RfbException {
    // drives list (1/2) and end of file (6): libvncserver reads the 12-byte header alone
    byte[] drives = Wire.of().u8(7, 1, 2, 0).u32(0).u32(0).bytes();
    byte[] smuggler = Wire.of().u8(7, 6, 0, 0).u32(0).u32(8).raw(key(0x61)).bytes();
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, cat(drives, smuggler, fileTransfer(new byte[4]), key(1)),
        cat(drives, fileTransfer(new byte[4]), key(1)), List.of(new Drop(ULTRA_FILE_TRANSFER, 20,
            ClientMessageFramer.MALFORMED + "a FileTransfer of content type 6/0 with 8 bytes of data, which libvncserver"
                + " does not read (it takes them for messages)")), 3);
  }

  @Test
  void paddingIsZeroedOnTheWayAndAMessageAlreadyCanonicalIsTheBytesThatCame() throws RfbException {
    byte[] spf = setPixelFormat();
    spf[2] = 7;
    spf[18] = 9;
    byte[] enc = setEncodings(0, 7);
    enc[1] = 1;
    byte[] keyEvent = key(0x61);
    keyEvent[3] = 5;
    byte[] cut = cutText("x");
    cut[1] = 1;
    byte[] fence = fence(2);
    fence[3] = 1;
    byte[] size = setDesktopSize(1);
    size[1] = 1;
    size[7] = 2;
    byte[] x = xvp();
    x[1] = 3;
    byte[] dirty = cat(spf, enc, keyEvent, fbur(), cut, fence, size, x, enableContinuousUpdates(), qemuAudio(2));
    byte[] clean = cat(setPixelFormat(), setEncodings(0, 7), key(0x61), fbur(), cutText("x"), fence(2),
        setDesktopSize(1), xvp(), enableContinuousUpdates(), qemuAudio(2));
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, dirty, clean, List.of(), 10);
    // observers: the same for what they may send
    byte[] observerDirty = cat(spf, enc, fbur(), fence, enableContinuousUpdates(), qemuAudio(2));
    byte[] observerClean = cat(setPixelFormat(), setEncodings(0, 7), fbur(), fence(2), enableContinuousUpdates(),
        qemuAudio(2));
    assertFraming(MessagePolicy.OBSERVER, CAP, true, observerDirty, observerClean, List.of(), 6);

    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
    Buffer canonical = Buffer.buffer(clean);
    assertSame(canonical, f.feed(canonical), "canonical messages are forwarded as the buffer that came, no copy");
  }

  /**
   * After an update request a SetPixelFormat without the viewer's own synchronising fence would
   * take effect at an unknown point of the target's stream: when the target supports fences the
   * gateway sends its own right before it; before any update request, the next update is exact.
   */
  @Test
  void aPixelFormatAfterAnUpdateRequestGetsTheGatewaysOwnSyncFence() throws RfbException {
    byte[] ownFence = Wire.of().u8(248, 0, 0, 0).u32(0x80000005L).u8(0).bytes();
    byte[] syncNext = Wire.of().u8(248, 0, 0, 0).u32(0x80000004L).u8(0).bytes();
    byte[] input = cat(setPixelFormat(), fbur(), fence(0), setPixelFormat(), syncNext, setPixelFormat(), key(1));
    byte[] expected = cat(setPixelFormat(), fbur(), fence(0), ownFence, setPixelFormat(), syncNext, setPixelFormat(), key(1));
    for (Split split : Splits.of(input)) {
      List<String> told = new ArrayList<>();
      ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
      f.serverFencesConfirmed();
      f.formatListener(new ClientMessageFramer.FormatListener() {
        @Override
        public void pixelFormatSent(byte[] format, boolean synced) {
          fail("the full form is called");
        }

        @Override
        public void pixelFormatSent(byte[] format, long fence, boolean gatewayFence) {
          told.add(fence + " " + gatewayFence);
        }
      });
      Buffer out = Buffer.buffer();
      for (Buffer part : split.buffers()) out.appendBuffer(f.feed(part));
      assertEquals(Wire.hex(expected), Wire.hex(out.getBytes()), split.label());
      // fence(0) is request 1, the gateway's 2, the viewer's SyncNext 3
      assertEquals(List.of("0 false", "2 true", "3 false"), told, split.label());
    }
    // a target that never sent a fence cannot take one: the next update, as before
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.OBSERVER, CAP, true, null);
    Buffer out = f.feed(Buffer.buffer(cat(fbur(), setPixelFormat())));
    assertEquals(Wire.hex(cat(fbur(), setPixelFormat())), Wire.hex(out.getBytes()));
  }

  /**
   * A target without fences: after an update request, a SetPixelFormat counts from the next update
   * only once an update begun after that request has been seen whole; before, an update in the
   * old format may be on its way, and the SetPixelFormat is dropped.
   */
  @Test
  void toATargetWithoutFencesAPixelFormatWaitsForTheOutstandingUpdate() throws RfbException {
    long[] begun = {0};
    long[] done = {0};
    List<Drop> drops = new ArrayList<>();
    List<String> told = new ArrayList<>();
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.OBSERVER, CAP, true, (t, b, r, w) -> drops.add(drop(t, b, r, w)));
    f.updateProgress(() -> begun[0], () -> done[0]);
    f.formatListener((format, synced) -> told.add("told " + synced));
    assertEquals(Wire.hex(cat(setPixelFormat(), fbur())), Wire.hex(f.feed(Buffer.buffer(cat(setPixelFormat(), fbur()))).getBytes()));
    assertEquals(Wire.hex(fbur()), Wire.hex(f.feed(Buffer.buffer(cat(setPixelFormat(), fbur()))).getBytes()));
    assertEquals(List.of(new Drop(SET_PIXEL_FORMAT, 20, ClientMessageFramer.MALFORMED + "a SetPixelFormat while an update"
        + " request is outstanding, to a target without fences: where the format changes could not be known")), drops);
    begun[0] = 1;   // the answer has begun: still not safe
    assertEquals(0, f.feed(Buffer.buffer(setPixelFormat())).length());
    done[0] = 1;    // seen whole, no request since: the next update is the new format's
    assertEquals(Wire.hex(setPixelFormat()), Wire.hex(f.feed(Buffer.buffer(setPixelFormat())).getBytes()));
    assertEquals(List.of("told false", "told false"), told);
  }

  @Test
  void aPixelFormatServersWouldReadDifferentlyIsDropped() throws RfbException {
    byte[] bpp24 = setPixelFormat();
    bpp24[4] = 24;
    byte[] unalignedShifts = setPixelFormat();
    unalignedShifts[4 + 10] = 17; // red shift 17: libvncserver sends 3-byte Tight pixels, TigerVNC 4
    List<String> told = new ArrayList<>();
    List<Drop> drops = new ArrayList<>();
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.OBSERVER, CAP, true,
        (t, b, r, w) -> drops.add(drop(t, b, r, w)));
    f.formatListener((format, synced) -> told.add(Wire.hex(format)));
    Buffer out = f.feed(Buffer.buffer(cat(bpp24, unalignedShifts, fbur())));
    assertEquals(Wire.hex(fbur()), Wire.hex(out.getBytes()));
    assertEquals(List.of(), told, "the server side keeps the format the server keeps");
    assertEquals(2, drops.size());
    assertTrue(drops.stream().allMatch(d -> d.type() == SET_PIXEL_FORMAT && d.why().startsWith(ClientMessageFramer.MALFORMED)),
        drops.toString());
  }

  @Test
  void extendedClipboardShorterThanItsFlagsIsMalformed() {
    byte[] bad = Wire.of().u8(6, 0, 0, 0).s32(-3).u8(1, 2, 3).bytes();
    assertRejected(cat(setEncodings(EXT_CLIPBOARD), bad),
        "viewer sent an extended clipboard message of 3 bytes, too short for its flags");
  }

  @Test
  void clipboardDisabledDropsCutTextAndCaps() throws RfbException {
    byte[] caps = extendedClipboard(0x01000001, Wire.of().u32(1 << 20).bytes());
    byte[] all = cat(setEncodings(EXT_CLIPBOARD), cutText("secret"), caps, key(1));
    assertFraming(MessagePolicy.CONTROLLER, CAP, false, all, cat(setEncodings(EXT_CLIPBOARD), key(1)), List.of(
        new Drop(CLIENT_CUT_TEXT, 14, "clipboard to server disabled"),
        new Drop(CLIPBOARD_CAPS, 16, "clipboard to server disabled")), 2);
  }

  // ---------------------------------------------------------------- size cap

  @Test
  void cutTextAtTheCapPassesAndOneByteMoreIsSkipped() throws RfbException {
    String atCap = "x".repeat(16);
    String over = "y".repeat(17);
    byte[] all = cat(cutText(atCap), cutText(over), fbur());
    assertFraming(MessagePolicy.CONTROLLER, 16, true, all, cat(cutText(atCap), fbur()),
        List.of(new Drop(CLIENT_CUT_TEXT, 25, "clipboard 17 bytes exceeds the limit of 16 bytes")), 2);
  }

  @Test
  void oversizedFileTransferAndTextChatAreSkipped() throws RfbException {
    byte[] all = cat(fileTransfer(new byte[20]), textChat("z".repeat(30)), textChatControl(0xFFFFFFFFL), key(2));
    assertFraming(MessagePolicy.CONTROLLER, 16, true, all, cat(textChatControl(0xFFFFFFFFL), key(2)), List.of(
        new Drop(ULTRA_FILE_TRANSFER, 32, "file transfer 20 bytes exceeds the limit of 16 bytes"),
        new Drop(TEXT_CHAT, 38, "text chat 30 bytes exceeds the limit of 16 bytes")), 2);
  }

  @Test
  void oversizedCutTextIsSkippedAcrossManyFeedsWithoutBufferingThenFramingGoesOn() throws RfbException {
    int size = 5_000_000;
    List<Drop> drops = new ArrayList<>();
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, 1 << 20, true,
        (t, b, r, w) -> drops.add(drop(t, b, r, w)));
    byte[] header = Wire.of().u8(6, 0, 0, 0).u32(size).bytes();
    assertArrayEquals(fbur(), f.feed(Buffer.buffer(cat(fbur(), header))).getBytes());
    assertEquals(0, f.buffered());
    assertEquals(List.of(new Drop(CLIENT_CUT_TEXT, size + 8,
        "clipboard 5000000 bytes exceeds the limit of 1048576 bytes")), drops);
    byte[] chunk = new byte[65536];
    Arrays.fill(chunk, (byte) 6);
    int left = size;
    while (left > chunk.length) {
      assertEquals(0, f.feed(Buffer.buffer(chunk)).length());
      assertEquals(0, f.buffered());
      left -= chunk.length;
    }
    byte[] tail = cat(new byte[left], key(0x41), pointer(0));
    for (byte b : tail) {
      Buffer out = f.feed(Buffer.buffer(new byte[] {b}));
      assertTrue(out.length() == 0 || out.length() == 8 || out.length() == 6);
    }
    assertEquals(1, drops.size());
    assertEquals(3, f.messagesPassed());
    assertEquals(1, f.messagesDropped());
  }

  @Test
  void integerMinValueLengthDoesNotOverflow() throws RfbException {
    byte[] header = Wire.of().u8(6, 0, 0, 0).s32(Integer.MIN_VALUE).s32(0x10000001).bytes();
    for (boolean negotiated : new boolean[] {true, false}) {
      List<Drop> drops = new ArrayList<>();
      ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true,
          (t, b, r, w) -> drops.add(drop(t, b, r, w)));
      if (negotiated) {
        f.feed(Buffer.buffer(setEncodings(EXT_CLIPBOARD)));
      }
      assertEquals(0, f.feed(Buffer.buffer(cat(header, new byte[1000]))).length());
      assertEquals(0, f.feed(Buffer.buffer(cat(key(1), fbur()))).length());
      assertEquals(List.of(new Drop(CLIENT_CUT_TEXT, 2147483656L,
          "clipboard 2147483648 bytes exceeds the limit of 1048576 bytes")), drops);
    }
  }

  @Test
  void hugeFileTransferLengthDoesNotOverflow() throws RfbException {
    byte[] header = Wire.of().u8(7, 0, 0, 0).u32(0).u32(0xFFFFFFFFL).bytes();
    List<Drop> drops = new ArrayList<>();
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true,
        (t, b, r, w) -> drops.add(drop(t, b, r, w)));
    assertEquals(0, f.feed(Buffer.buffer(cat(header, key(1)))).length());
    assertEquals(List.of(new Drop(ULTRA_FILE_TRANSFER, 12 + 0xFFFFFFFFL,
        "file transfer 4294967295 bytes exceeds the limit of 1048576 bytes")), drops);
  }

  // ---------------------------------------------------------------- roles and policy switches

  @Test
  void observerPassesStateMessagesAndDropsInput() throws RfbException {
    byte[] caps = extendedClipboard(0x01000001, Wire.of().u32(4096).bytes());
    byte[] all = cat(setPixelFormat(), setEncodings(0, EXT_CLIPBOARD), fbur(), key(0x61), pointer(1),
        cutText("pw"), caps, enableContinuousUpdates(), fence(2), xvp(), setDesktopSize(1), giiBigEndian(6),
        qemuKey(), qemuAudio(2), fileTransfer(new byte[3]), textChat("hey"), setScale());
    byte[] passed = cat(setPixelFormat(), setEncodings(0, EXT_CLIPBOARD), fbur(), caps, enableContinuousUpdates(),
        fence(2), qemuAudio(2));
    assertFraming(MessagePolicy.OBSERVER, CAP, true, all, passed, List.of(
        new Drop(KEY_EVENT, 8, "role view"),
        new Drop(POINTER_EVENT, 6, "role view"),
        new Drop(CLIENT_CUT_TEXT, 10, "role view"),
        new Drop(XVP, 4, "role view"),
        new Drop(SET_DESKTOP_SIZE, 24, "role view"),
        new Drop(GII, 10, "role view"),
        new Drop(QEMU_KEY_EVENT, 12, "role view"),
        new Drop(ULTRA_FILE_TRANSFER, 15, "role view"),
        new Drop(TEXT_CHAT, 11, "role view"),
        new Drop(ULTRA_SET_SCALE, 4, "role view")), 7);
  }

  @Test
  void policySwitchBetweenTwoMessagesOfOneFeedAppliesToTheSecond() throws RfbException {
    List<Drop> drops = new ArrayList<>();
    ClientMessageFramer[] holder = new ClientMessageFramer[1];
    holder[0] = new ClientMessageFramer(MessagePolicy.OBSERVER, CAP, true, (t, b, r, w) -> {
      drops.add(drop(t, b, r, w));
      holder[0].policy(MessagePolicy.CONTROLLER);
    });
    Buffer out = holder[0].feed(Buffer.buffer(cat(key(1), key(2), fbur())));
    assertArrayEquals(cat(key(2), fbur()), out.getBytes());
    assertEquals(List.of(new Drop(KEY_EVENT, 8, "role view")), drops);
    assertSame(MessagePolicy.CONTROLLER, holder[0].policy());
  }

  @Test
  void policyThatFlipsWhileFramingJudgesEachMessageOnce() throws RfbException {
    for (Split split : Splits.of(cat(key(1), pointer(0), key(2), pointer(1)))) {
      int[] calls = {0};
      MessagePolicy alternating = t -> calls[0]++ % 2 == 0;
      Run r = run(alternating, CAP, true, split.buffers());
      assertEquals(4, calls[0], split.label());
      assertEquals(Wire.hex(cat(key(1), key(2))), Wire.hex(r.forwarded()), split.label());
    }
  }

  @Test
  void aMessageIsJudgedWhenItsHeaderIsFramed() throws RfbException {
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
    byte[] text = cutText("hello world");
    assertEquals(0, f.feed(Buffer.buffer(Arrays.copyOf(text, 10))).length());
    f.policy(MessagePolicy.OBSERVER);
    assertArrayEquals(text, f.feed(Buffer.buffer(Arrays.copyOfRange(text, 10, text.length))).getBytes());
    assertEquals(0, f.feed(Buffer.buffer(text)).length());
  }

  // ---------------------------------------------------------------- malformed input

  @Test
  void unknownTypeIsRejectedWithTheReason() {
    assertRejected(cat(fbur(), new byte[] {42, 0, 0, 0}), "viewer sent unknown RFB message type 42");
    assertRejected(new byte[] {1}, "viewer sent unknown RFB message type 1");
  }

  @Test
  void malformedMessagesAreRejected() {
    assertRejected(cat(key(1), Wire.of().u8(248, 0, 0, 0).u32(0).u8(65).bytes()),
        "viewer sent a ClientFence with 65 bytes of payload, more than the limit of 64");
    assertRejected(Wire.of().u8(251, 0).u16(1920).u16(1080).u8(0, 0).bytes(),
        "viewer sent a malformed SetDesktopSize (1920x1080, 0 screens)");
    assertRejected(Wire.of().u8(251, 0).u16(0).u16(1080).u8(1, 0).bytes(),
        "viewer sent a malformed SetDesktopSize (0x1080, 1 screens)");
    assertRejected(Wire.of().u8(255, 7).bytes(), "viewer sent unknown QEMU message subtype 7");
    assertRejected(Wire.of().u8(255, 1).u16(3).bytes(), "viewer sent unknown QEMU audio operation 3");
  }

  // ---------------------------------------------------------------- buffers

  @Test
  void emptyFeedReturnsAnEmptyBuffer() throws RfbException {
    ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
    assertEquals(0, f.feed(Buffer.buffer()).length());
    f.feed(Buffer.buffer(new byte[] {3, 1}));
    assertEquals(0, f.feed(Buffer.buffer()).length());
  }

  @Test
  void inputBuffersAreNeverModifiedAndOutputsStayValid() throws RfbException {
    byte[] all = cat(fbur(), key(1), setScale(), cutText("abc"), pointer(2), fbur());
    byte[] expected = cat(fbur(), key(1), cutText("abc"), pointer(2), fbur());
    for (Split split : Splits.of(all)) {
      List<Buffer> parts = split.buffers();
      List<byte[]> before = parts.stream().map(Buffer::getBytes).toList();
      ClientMessageFramer f = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
      List<Buffer> outputs = new ArrayList<>();
      for (Buffer part : parts) {
        outputs.add(f.feed(part));
      }
      for (int i = 0; i < parts.size(); i++) {
        assertArrayEquals(before.get(i), parts.get(i).getBytes(), split.label());
      }
      assertEquals(Wire.hex(expected), Wire.hex(Splits.join(outputs)), split.label());
    }
  }

  @Test
  void rejectsAClipboardCapThatCannotBeBuffered() {
    assertThrows(IllegalArgumentException.class,
        () -> new ClientMessageFramer(MessagePolicy.CONTROLLER, -1, true, null));
    assertThrows(IllegalArgumentException.class,
        () -> new ClientMessageFramer(MessagePolicy.CONTROLLER, (1L << 30) + 1, true, null));
  }

  // ---------------------------------------------------------------- what the server side needs

  @Test
  void setEncodingsIsNarrowedToWhatTheServerSideCanFrame() throws RfbException {
    // 21 (JPEG, no length), -314 (alpha cursor) and 15 (TRLE) cannot be followed on the way back
    byte[] input = cat(setEncodings(7, 21, 16, -314, 0, 15, -260, -239), key(1), setEncodings(21));
    byte[] forwarded = cat(setEncodings(7, 16, 0, -260, -239), key(1), setEncodings());
    assertFraming(MessagePolicy.CONTROLLER, CAP, true, input, forwarded, List.of(), 3);
  }

  @Test
  void aForwardedSetPixelFormatIsToldWithWhetherASyncFenceCameRightBefore() throws RfbException {
    List<String> told = new ArrayList<>();
    ClientMessageFramer framer = new ClientMessageFramer(MessagePolicy.CONTROLLER, CAP, true, null);
    framer.formatListener((format, synced) -> told.add(Wire.hex(format) + " " + synced));
    byte[] syncNext = Wire.of().u8(248, 0, 0, 0).u32(0x80000004L).u8(0).bytes();
    framer.feed(Buffer.buffer(cat(setPixelFormat(), syncNext, setPixelFormat(), fence(0), setPixelFormat(),
        syncNext, fbur(), setPixelFormat())));
    String pf = Wire.hex(Wire.pixelFormat32());
    assertEquals(List.of(pf + " false", pf + " true", pf + " false", pf + " false"), told);

    ClientMessageFramer observer = new ClientMessageFramer(MessagePolicy.OBSERVER, CAP, true, null);
    List<String> none = new ArrayList<>();
    observer.formatListener((format, synced) -> none.add("told"));
    observer.feed(Buffer.buffer(cat(setPixelFormat(), key(1))));
    assertEquals(List.of("told"), none, "observers may set their pixel format; the server side must know");
  }
}
