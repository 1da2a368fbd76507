package io.vncgate.spi;

/** How the viewers of one target reach it. */
public enum Sharing {
  /** Every viewer has its own upstream connection (the gateway's default). */
  PER_VIEWER,
  /**
   * All viewers of the target share ONE upstream connection, the gateway being the target's only
   * RFB client: for servers that accept a single VNC connection (KubeVirt), or to spare a busy
   * server one encoder per viewer.
   */
  FAN_OUT
}
