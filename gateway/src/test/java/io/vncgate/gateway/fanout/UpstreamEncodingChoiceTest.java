package io.vncgate.gateway.fanout;

import static io.vncgate.gateway.config.GatewayConfig.UpstreamEncoding.AUTO;
import static io.vncgate.gateway.config.GatewayConfig.UpstreamEncoding.HEXTILE;
import static io.vncgate.gateway.config.GatewayConfig.UpstreamEncoding.ZRLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.Encodings;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code sessions.fan-out-upstream-encoding}: Hextile for a near target, ZRLE for a far or unknown one, the setting over both. */
class UpstreamEncodingChoiceTest {
  @Test
  void autoTakesHextileUnderTwoMillisecondsAndZrleFromThereOrWhenTheTransportCannotTell() {
    assertTrue(FanOutSession.hextileFirst(AUTO, OptionalLong.of(0)), "a Unix socket: the same host");
    assertTrue(FanOutSession.hextileFirst(AUTO, OptionalLong.of(1_999)), "a LAN");
    assertFalse(FanOutSession.hextileFirst(AUTO, OptionalLong.of(2_000)), "from 2 ms on: far");
    assertFalse(FanOutSession.hextileFirst(AUTO, OptionalLong.of(40_000)), "a WAN");
    assertFalse(FanOutSession.hextileFirst(AUTO, OptionalLong.empty()), "an SSH route: the transport cannot tell");
  }

  @Test
  void theSettingWinsWhateverTheRoundTrip() {
    assertTrue(FanOutSession.hextileFirst(HEXTILE, OptionalLong.of(40_000)));
    assertTrue(FanOutSession.hextileFirst(HEXTILE, OptionalLong.empty()));
    assertFalse(FanOutSession.hextileFirst(ZRLE, OptionalLong.of(0)));
  }

  @Test
  void setEncodingsListsTheChosenOneFirstAndBothEither() {
    Buffer near = UpstreamMessages.setEncodings(true);
    Buffer far = UpstreamMessages.setEncodings(false);
    assertEquals(Encodings.HEXTILE, near.getInt(4));
    assertEquals(Encodings.ZRLE, near.getInt(8));
    assertEquals(Encodings.ZRLE, far.getInt(4));
    assertEquals(Encodings.HEXTILE, far.getInt(8));
    assertEquals(near.length(), far.length());
    assertEquals(2, near.getUnsignedByte(0), "SetEncodings");
    assertEquals((near.length() - 4) / 4, near.getUnsignedShort(2), "the count matches the list");
  }
}
