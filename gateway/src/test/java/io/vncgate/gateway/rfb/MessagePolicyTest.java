package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MessagePolicyTest {

  private static Set<ClientMessageType> allowedBy(MessagePolicy policy) {
    return Stream.of(ClientMessageType.values()).filter(policy::allows)
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(ClientMessageType.class)));
  }

  @Test
  void controllerAllowsEverythingButUltraScaleServerInputAndSw() {
    assertEquals(EnumSet.complementOf(EnumSet.of(ClientMessageType.ULTRA_SET_SCALE,
        ClientMessageType.ULTRA_SET_SERVER_INPUT, ClientMessageType.ULTRA_SET_SW)), allowedBy(MessagePolicy.CONTROLLER));
    assertEquals("role control", MessagePolicy.CONTROLLER.describe());
  }

  @Test
  void observerAllowsStateAndHarmlessMessagesOnly() {
    assertEquals(EnumSet.of(ClientMessageType.SET_PIXEL_FORMAT, ClientMessageType.SET_ENCODINGS,
        ClientMessageType.FRAMEBUFFER_UPDATE_REQUEST, ClientMessageType.ENABLE_CONTINUOUS_UPDATES,
        ClientMessageType.CLIENT_FENCE, ClientMessageType.CLIPBOARD_CAPS, ClientMessageType.QEMU_AUDIO),
        allowedBy(MessagePolicy.OBSERVER));
    assertEquals("role view", MessagePolicy.OBSERVER.describe());
  }

  @Test
  void wireNamesAndTypes() {
    assertEquals("KeyEvent", ClientMessageType.KEY_EVENT.wireName());
    assertEquals(150, ClientMessageType.ENABLE_CONTINUOUS_UPDATES.wireType());
    assertEquals(255, ClientMessageType.QEMU_AUDIO.wireType());
    assertEquals(ClientMessageType.values().length,
        Stream.of(ClientMessageType.values()).map(ClientMessageType::wireName).distinct().count());
  }
}
