package io.vncgate.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The framers' oracle: re-parsing what the gateway forwards, the way the real peer reads it, yields
 * exactly the messages the gateway judged — same boundaries, so same types and same count.
 *
 * <p>No tolerances: every disagreement is a finding.
 */
final class Oracle {

  private Oracle() {}

  /** What one way of feeding the same input made the framer do. */
  record Outcome(byte[] forwarded, String failure, long passed, long dropped) {}

  /**
   * The same input fed in other reads forwards the same bytes and counts the same messages, or
   * fails the same way having forwarded no more than {@code single} (a failed read forwards
   * nothing of itself).
   */
  static void sameWhateverTheReads(Outcome single, List<Outcome> others) {
    for (Outcome other : others) {
      assertEquals(single.failure(), other.failure(), "the same bytes fail the same way whatever the reads");
      if (single.failure() == null) {
        assertArrayEquals(single.forwarded(), other.forwarded(), "the same bytes are forwarded whatever the reads");
        assertEquals(single.passed(), other.passed());
        assertEquals(single.dropped(), other.dropped());
      } else {
        assertTrue(other.forwarded().length <= single.forwarded().length
            && Arrays.equals(other.forwarded(), Arrays.copyOf(single.forwarded(), other.forwarded().length)),
            "nothing is forwarded past the failure");
      }
    }
  }

  /**
   * @param peer who read the reference way, for messages
   * @param forwarded every byte the gateway forwarded, in order
   * @param ends where each message the gateway judged and passed ends in {@code forwarded}
   * @param reference what the peer made of {@code forwarded}
   */
  static void agree(String peer, byte[] forwarded, List<Integer> ends, Parsed reference) {
    List<Parsed.Message> read = reference.messages;
    for (int i = 0; ; i++) {
      int start = i == 0 ? 0 : ends.get(i - 1);
      boolean gatewayHas = i < ends.size();
      boolean peerHas = i < read.size();
      if (!peerHas && reference.end == Parsed.End.CLOSED) {
        return; // the peer closes here: nothing after is ever interpreted
      }
      if (!gatewayHas && !peerHas) {
        return;
      }
      if (gatewayHas && peerHas && read.get(i).offset() == start && read.get(i).end() == ends.get(i)) {
        continue;
      }
      throw disagreement(peer, forwarded, ends, reference, i);
    }
  }

  private static AssertionError disagreement(String peer, byte[] forwarded, List<Integer> ends, Parsed reference, int i) {
    int start = i == 0 ? 0 : ends.get(i - 1);
    Parsed.Message theirs = i < reference.messages.size() ? reference.messages.get(i) : null;
    String gateway = i < ends.size()
        ? "a message of type " + (forwarded[start] & 0xFF) + " at " + start + ".." + ends.get(i) + " (" + (ends.get(i) - start) + " bytes)"
        : "nothing more (" + (forwarded.length - start) + " bytes after its last judged message at " + start + ")";
    String peers = theirs != null
        ? theirs.what() + " at " + theirs.offset() + ".." + theirs.end() + " (" + theirs.length() + " bytes)"
        : "nothing whole: " + reference.end + (reference.why.isEmpty() ? "" : " (" + reference.why + ")");
    // where the two part ways: the peer's rectangle at the first differing boundary names the cause
    String part = "";
    int messageStart = theirs != null ? theirs.offset() : start;
    for (Parsed.Part p : reference.parts) {
      // a rectangle the peer reads in a way of its own (no payload, packed pixels) is the likely cause
      if (p.offset() >= messageStart && (p.what().contains("(empty") || p.what().contains("palette of 1"))) {
        part = p.what();
        break;
      }
    }
    if (part.isEmpty() && theirs != null) {
      int diverge = i < ends.size() ? Math.min(ends.get(i), theirs.end()) : theirs.end();
      for (Parsed.Part p : reference.parts) {
        if (p.offset() >= theirs.offset() && p.offset() < diverge && p.end() >= diverge) {
          part = p.what();
        }
      }
      if (part.isEmpty()) {
        for (Parsed.Part p : reference.parts) {
          if (p.offset() >= theirs.offset() && p.end() <= theirs.end() && p.end() <= diverge) part = p.what();
        }
      }
    }
    String kind = (theirs != null ? theirs.what() : "end:" + reference.end) + (part.isEmpty() ? "" : "/" + part)
        + (i < ends.size() ? " vs gateway type " + (forwarded[start] & 0xFF) : " vs gateway nothing");
    AssertionError e = new AssertionError("the gateway and " + peer + " disagree at message #" + i + " [" + kind + "]:"
        + " the gateway judged " + gateway + ", " + peer + " reads " + peers
        + "; gateway messages " + summary(ends) + "; " + peer + " messages " + summaryOf(reference)
        + "; forwarded (" + forwarded.length + " bytes) " + hex(forwarded, start));
    // one finding per kind of disagreement (Jazzer deduplicates findings by stack trace)
    List<StackTraceElement> trace = new ArrayList<>(Arrays.asList(e.getStackTrace()));
    trace.add(0, new StackTraceElement("disagreement", kind.replaceAll("[^A-Za-z0-9]+", "_"), "Oracle.java", 1));
    e.setStackTrace(trace.toArray(StackTraceElement[]::new));
    return e;
  }

  private static String summary(List<Integer> ends) {
    return ends.size() <= 12 ? ends.toString() : ends.subList(0, 12) + "...(" + ends.size() + ")";
  }

  private static String summaryOf(Parsed p) {
    List<String> s = new ArrayList<>();
    for (Parsed.Message m : p.messages) {
      if (s.size() == 12) {
        s.add("...(" + p.messages.size() + ")");
        break;
      }
      s.add(m.what() + "@" + m.offset() + "+" + m.length());
    }
    return s + " " + p.end + (p.why.isEmpty() ? "" : " (" + p.why + ")");
  }

  /** Up to 256 bytes of hex from {@code from}. */
  static String hex(byte[] b, int from) {
    int to = Math.min(b.length, from + 256);
    return "from " + from + ": " + HexFormat.of().formatHex(b, Math.max(0, from), Math.max(from, to))
        + (to < b.length ? "..." : "");
  }

  static int u32(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
  }
}
