package io.vncgate.gateway.fanout;

/**
 * The target's pointer shape (the Cursor pseudo-encoding), kept to give every viewer that asked
 * for it, late joiners included.
 *
 * @param argb {@code width * height} pixels, {@code 0xAARRGGBB} with alpha 0 (transparent) or 255
 */
public record Cursor(int hotX, int hotY, int width, int height, int[] argb) {}
