package io.vncgate.testbeds;

/** What a server said in ServerInit: desktop size, desktop name and its native pixel format. */
public record ServerInitInfo(int width, int height, String name, PixelFormat pixelFormat) {
}
