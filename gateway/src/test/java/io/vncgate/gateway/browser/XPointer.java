package io.vncgate.gateway.browser;

import io.vncgate.testbeds.LocalVncServer;

/** Where the X pointer of a test display is, from {@code xdotool getmouselocation}. */
final class XPointer {
  private XPointer() {}

  static int[] of(LocalVncServer x) {
    int[] xy = new int[2];
    for (String part : x.xdotool("getmouselocation").trim().split("\\s+")) {
      if (part.startsWith("x:")) xy[0] = Integer.parseInt(part.substring(2));
      if (part.startsWith("y:")) xy[1] = Integer.parseInt(part.substring(2));
    }
    return xy;
  }

  static boolean at(LocalVncServer x, int px, int py) {
    int[] p = of(x);
    return p[0] == px && p[1] == py;
  }

  static void moveTo(LocalVncServer x, int px, int py) {
    x.xdotool("mousemove", String.valueOf(px), String.valueOf(py));
  }
}
