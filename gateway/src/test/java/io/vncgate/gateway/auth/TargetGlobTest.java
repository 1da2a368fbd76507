package io.vncgate.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetGlobTest {
  @Test
  void singleStarStaysInOneSegment() {
    assertTrue(TargetGlob.of("static/*").matches("static/lab1"));
    assertFalse(TargetGlob.of("static/*").matches("static/a/b"));
    assertFalse(TargetGlob.of("static/*").matches("ssh/lab1"));
  }

  @Test
  void doubleStarCrossesSegments() {
    assertTrue(TargetGlob.of("ssh/**").matches("ssh/hetzner/web1"));
    assertTrue(TargetGlob.of("**").matches("proxmox/node1/101"));
  }

  @Test
  void regexCharactersAreLiteral() {
    assertTrue(TargetGlob.of("static/lab.1").matches("static/lab.1"));
    assertFalse(TargetGlob.of("static/lab.1").matches("static/labx1"));
    assertFalse(TargetGlob.of("static/(a|b)").matches("static/a"));
  }

  @Test
  void exactIdMatchesOnlyItself() {
    assertTrue(TargetGlob.of("static/lab1").matches("static/lab1"));
    assertFalse(TargetGlob.of("static/lab1").matches("static/lab10"));
  }
}
