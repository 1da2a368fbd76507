package io.vncgate.gateway.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.rfb.DropReason;
import io.vncgate.gateway.rfb.RfbFailure;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** The closed vocabulary of connection outcomes: each maps to every edge, once, without ambiguity. */
class OutcomeTest {

  @Test
  void everyOutcomeHasACodeAStatusWordsALabelAFaultAndALevel() {
    Set<Integer> codes = Set.of(1000, 1001, 1008, 1011, 1013, 4001, 4002);
    for (Outcome o : Outcome.values()) {
      assertTrue(codes.contains((int) o.closeCode()), o + " has close code " + o.closeCode());
      assertTrue(o.httpStatus() >= 200 && o.httpStatus() < 600, o + " has HTTP status " + o.httpStatus());
      assertFalse(o.words().isBlank(), o + " has words");
      assertTrue(o.label().matches("[a-z]+(-[a-z]+)*"), o + " has a metrics label: " + o.label());
      assertNotNull(o.fault(), o + " has a fault");
      assertNotNull(o.logLevel(), o + " has a log level");
      assertTrue(o.auditEvent().equals(Outcome.AUDIT_LEFT) || o.auditEvent().equals(Outcome.AUDIT_REFUSED), o.auditEvent());
    }
  }

  @Test
  void labelsAndWordsAreUnique() {
    Set<String> labels = new HashSet<>();
    Set<String> words = new HashSet<>();
    for (Outcome o : Outcome.values()) {
      assertTrue(labels.add(o.label()), "label " + o.label() + " is used twice");
      assertTrue(words.add(o.words()), "words of " + o + " are used twice");
    }
  }

  @Test
  void theTwoEndsThatAreNoFailureAreNormalClosesAndTheIdleTimeoutHasItsOwnCode() {
    assertEquals(1000, Outcome.TARGET_ENDED.closeCode());
    assertEquals("the VNC server closed the connection", Outcome.TARGET_ENDED.words());
    assertEquals(1000, Outcome.VIEWER_LEFT.closeCode());
    assertEquals(EnumSet.of(Outcome.TARGET_ENDED, Outcome.VIEWER_LEFT),
        EnumSet.copyOf(Set.of(Outcome.values()).stream().filter(Outcome::isNormal).toList()));
    assertEquals(4002, Outcome.IDLE.closeCode());
    for (Outcome o : Outcome.values()) {
      if (o != Outcome.IDLE) assertFalse(o.closeCode() == 4002, o + " shares the idle code");
    }
    assertEquals(Outcome.Fault.VIEWER, Outcome.IDLE.fault());
  }

  @Test
  void finalOutcomesAreTheOperatorsAndLoggedAsErrors() {
    for (Outcome o : Outcome.values()) {
      if (o.isFinal()) {
        assertEquals(4001, o.closeCode());
        assertEquals(Outcome.Fault.OPERATOR, o.fault(), o.toString());
        assertEquals(Level.ERROR, o.logLevel(), o.toString());
      }
      if (o.fault() == Outcome.Fault.VIEWER) assertEquals(Level.INFO, o.logLevel(), o + ": a viewer's doing is no error");
      // a target's failure is at least a warning (a blacklist waited out, a queue that ran out of time: WARN)
      if (o.fault() == Outcome.Fault.TARGET && !o.isNormal()) {
        assertTrue(o.logLevel().toInt() >= Level.WARN.toInt(), o.toString());
      }
    }
  }

  @Test
  void ticketRefusalsAreAuditedAsRefusedAndEverythingElseAsLeft() {
    for (Outcome o : Outcome.values()) {
      boolean ticket = o == Outcome.TICKET_REFUSED || o == Outcome.TICKET_THROTTLED;
      assertEquals(ticket ? "auth.refused" : "viewer.left", o.auditEvent(), o.toString());
    }
  }

  @Test
  void everyTargetHandshakeFailureAndEveryGatewayStatusMapsToAnOutcome() {
    for (RfbFailure.Cause c : RfbFailure.Cause.values()) assertNotNull(Outcome.ofTarget(c), c.toString());
    assertEquals(Outcome.AUTH_FAILED, Outcome.ofTarget(RfbFailure.Cause.AUTH_FAILED));
    assertEquals(Outcome.TARGET_REFUSED, Outcome.ofTarget(RfbFailure.Cause.SERVER_REFUSED));
    assertTrue(Outcome.ofTarget(RfbFailure.Cause.TOO_MANY_ATTEMPTS).isFinal());
    for (Status s : Status.values()) assertNotNull(Outcome.of(new GatewayException(s, "x")), s.toString());
    assertEquals(Outcome.UNREACHABLE, Outcome.of(new GatewayException(Status.UPSTREAM_FAILED, "refused")));
    assertEquals(Outcome.MISCONFIGURED, Outcome.of(new GatewayException(Status.NEEDS_OPERATOR, "x")));
    assertTrue(Outcome.of(new GatewayException(Status.NEEDS_OPERATOR, "x")).isFinal());
  }

  @Test
  void dropReasonLabelsAreUnique() {
    Set<String> labels = new HashSet<>();
    for (DropReason r : DropReason.values()) assertTrue(labels.add(r.label()), r.label());
    assertEquals(Set.of("role", "policy", "size", "malformed"), labels);
  }
}
