package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** Keeps what an {@link UpstreamDecoder} reported. */
final class Recorder implements UpstreamEvents {
  final List<Rect> damaged = new ArrayList<>();
  final List<String> cutTexts = new ArrayList<>();
  final List<Integer> cutTextsDropped = new ArrayList<>();
  int updates;
  int bells;
  int resizes;
  Buffer screens;
  Cursor cursor;
  boolean qemuKeys;

  @Override
  public void damaged(int x, int y, int w, int h) {
    damaged.add(new Rect(x, y, w, h));
  }

  @Override
  public void updateDone() {
    updates++;
  }

  @Override
  public void resized(int width, int height, Buffer screens) {
    resizes++;
    this.screens = screens;
  }

  @Override
  public void cursor(Cursor cursor) {
    this.cursor = cursor;
  }

  @Override
  public void bell() {
    bells++;
  }

  @Override
  public void serverCutText(Buffer latin1) {
    cutTexts.add(latin1.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Override
  public void cutTextDropped(int length) {
    cutTextsDropped.add(length);
  }

  @Override
  public void qemuExtendedKeys() {
    qemuKeys = true;
  }

  @Override
  public String toString() {
    return "updates=" + updates + " damaged=" + damaged + " resizes=" + resizes + " bells=" + bells + " cut=" + cutTexts
        + " cutDropped=" + cutTextsDropped;
  }
}
