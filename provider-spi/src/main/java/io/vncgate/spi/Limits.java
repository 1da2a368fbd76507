package io.vncgate.spi;

/**
 * Per-target limits a provider may set; the gateway's config supplies what is not set here.
 *
 * @param clipboardToServer whether viewers may send clipboard text to the target
 * @param clipboardToViewer whether the target's clipboard reaches viewers
 * @param clipboardMaxBytes largest clipboard message accepted from a viewer; 0 = gateway default
 * @param handshakesAtOnce most upstream connections the gateway sets up to this target at the same
 *     time, lowering (never raising) its {@code limits.upstream.handshakes-per-target}; 0 = the
 *     gateway's. 1 for a target whose server takes one login at a time: Proxmox sets the VM's
 *     VNC password when each console connects, so a second console connecting before the first
 *     logged in would change the password under it
 */
public record Limits(boolean clipboardToServer, boolean clipboardToViewer, int clipboardMaxBytes, int handshakesAtOnce) {
  public static final Limits DEFAULTS = new Limits(true, true, 0, 0);

  public Limits {
    if (clipboardMaxBytes < 0) throw new IllegalArgumentException("clipboardMaxBytes < 0");
    if (handshakesAtOnce < 0) throw new IllegalArgumentException("handshakesAtOnce < 0");
  }

  /** Clipboard limits only; handshakes as the gateway's config says. */
  public Limits(boolean clipboardToServer, boolean clipboardToViewer, int clipboardMaxBytes) {
    this(clipboardToServer, clipboardToViewer, clipboardMaxBytes, 0);
  }

  /** These limits with at most {@code n} upstream connections set up at a time. */
  public Limits withHandshakesAtOnce(int n) {
    return new Limits(clipboardToServer, clipboardToViewer, clipboardMaxBytes, n);
  }
}
