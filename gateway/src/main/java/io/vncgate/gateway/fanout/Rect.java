package io.vncgate.gateway.fanout;

/** A rectangle of the framebuffer. */
public record Rect(int x, int y, int w, int h) {}
