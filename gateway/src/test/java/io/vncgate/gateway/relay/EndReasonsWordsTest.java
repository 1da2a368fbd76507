package io.vncgate.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A provider's words on why its target ended, made fit for a viewer, the audit and the log. */
class EndReasonsWordsTest {
  @Test
  void controlCharactersBecomeOneSpaceAndTheEndsAreTrimmed() {
    assertEquals("container lab1 was removed by admin", EndReasons.oneLine("\n container lab1\r\nwas removed\tby admin \u0007"));
  }

  @Test
  void wordsLongerThanTheCapAreCutWithAnEllipsis() {
    String cut = EndReasons.oneLine("x".repeat(EndReasons.MAX_WORDS + 1));
    assertEquals(EndReasons.MAX_WORDS, cut.length());
    assertEquals("x".repeat(EndReasons.MAX_WORDS - 3) + "...", cut);
    assertEquals("y".repeat(EndReasons.MAX_WORDS), EndReasons.oneLine("y".repeat(EndReasons.MAX_WORDS)), "at the cap: whole");
  }

  @Test
  void wordsOfOnlyControlCharactersAreNothing() {
    assertEquals("", EndReasons.oneLine("\r\n\t"));
  }
}
