package io.vncgate.spi;

/**
 * Per-target limits a provider may set; the gateway's config supplies what is not set here.
 *
 * @param clipboardToServer whether viewers may send clipboard text to the target
 * @param clipboardToViewer whether the target's clipboard reaches viewers
 * @param clipboardMaxBytes largest clipboard message accepted from a viewer; 0 = gateway default
 */
public record Limits(boolean clipboardToServer, boolean clipboardToViewer, int clipboardMaxBytes) {
  public static final Limits DEFAULTS = new Limits(true, true, 0);

  public Limits {
    if (clipboardMaxBytes < 0) throw new IllegalArgumentException("clipboardMaxBytes < 0");
  }
}
