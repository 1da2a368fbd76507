package io.vncgate.gateway.rfb;

/**
 * Why the gateway dropped a message, as a closed set: the {@code reason} label of
 * {@code vncgate_dropped_messages_total}. The words that go with a drop (logs) say more.
 */
public enum DropReason {
  /** The viewer's role does not allow the message (an observer's input). */
  ROLE("role"),
  /** The clipboard (or a similar channel) is disabled by configuration or the provider. */
  POLICY("policy"),
  /** Larger than {@code limits.clipboard.max-bytes}. */
  SIZE("size"),
  /** Its declared length and its structure disagree, or it cannot be framed safely. */
  MALFORMED("malformed");

  private final String label;

  DropReason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
