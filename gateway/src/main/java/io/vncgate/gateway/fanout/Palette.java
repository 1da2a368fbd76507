package io.vncgate.gateway.fanout;

import java.util.Arrays;

/**
 * The colours of one tile, up to a capacity, in the order first seen, with each colour's index:
 * open addressing over 512 slots, a slot in use when its stamp is the tile's ({@link #clear} is a
 * new stamp, not a fill). For the encoders' palettes (ZRLE's up to 127, Tight's).
 */
final class Palette {
  private static final int SLOTS = 512;

  private final int[] colours;
  private final int[] slotColour = new int[SLOTS];
  private final int[] slotIndex = new int[SLOTS];
  private final int[] slotStamp = new int[SLOTS];
  private int stamp;
  private int size;

  Palette(int capacity) {
    if (capacity > SLOTS / 2) throw new IllegalArgumentException("a palette of at most " + SLOTS / 2 + " colours");
    colours = new int[capacity];
  }

  /** Empty, for the next tile. */
  void clear() {
    if (++stamp == 0) {
      Arrays.fill(slotStamp, 0);
      stamp = 1;
    }
    size = 0;
  }

  int size() {
    return size;
  }

  int colour(int index) {
    return colours[index];
  }

  /** The index of {@code colour}; when {@code add}, a new colour is added (-1: absent, or the palette is full). */
  int indexOf(int colour, boolean add) {
    int slot = (colour * 0x9E3779B1) >>> 23;
    while (slotStamp[slot] == stamp) {
      if (slotColour[slot] == colour) return slotIndex[slot];
      slot = (slot + 1) & (SLOTS - 1);
    }
    if (!add || size == colours.length) return -1;
    slotStamp[slot] = stamp;
    slotColour[slot] = colour;
    slotIndex[slot] = size;
    colours[size] = colour;
    return size++;
  }
}
