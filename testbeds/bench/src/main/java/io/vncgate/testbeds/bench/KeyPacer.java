package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The fan-out path's round trip, the input round trip: the controller (the first viewer) sends one
 * KeyEvent every {@code interval}, a press then a release alternately, at most one outstanding;
 * the synthetic server answers each with a 1×1 update at 0,0; the gateway decodes it into its
 * framebuffer and sends the 64×64 tile it marks dirty to every viewer that has a request pending.
 * Every viewer keeps one incremental request for that pixel pending (asking again as each update
 * ends), so a sample is: key sent by the controller → the update it caused, complete at that viewer
 * (one sample per viewer per key). A fan-out session answers an incremental request only when
 * something changed, so the relay run's other round trip (a one-pixel request answered by the
 * server) cannot be timed on this path. As {@link Pacer}: a key that could not go out when due,
 * because the previous one's updates were late, is timed from when it was due. A key whose
 * updates have not all come within {@value #LOST_MS} ms counts the missing ones as lost and the
 * next key goes. Runs on the viewers' event loop.
 */
final class KeyPacer {
  /** Shift_L: nothing typed if the target were a real desktop. */
  private static final int KEYSYM = 0xFFE1;
  private static final long LOST_MS = 2000;

  private final List<RfbViewer> viewers;
  private final EventLoop loop;
  private final long intervalNanos;
  private final Pacer.Recorder recorder;
  private final boolean[] waiting;
  private final boolean[] primed;
  private int unprimed;
  private int outstanding;
  private long start;
  private long due;
  private boolean down;
  private boolean running = true;
  private long lost;
  private ScheduledFuture<?> timeout;

  /** @param viewers the controller first, then the observers (whose own key events the gateway would drop) */
  KeyPacer(List<RfbViewer> viewers, EventLoop loop, long intervalNanos, Pacer.Recorder recorder) {
    this.viewers = List.copyOf(viewers);
    this.loop = loop;
    this.intervalNanos = intervalNanos;
    this.recorder = recorder;
    this.waiting = new boolean[viewers.size()];
    this.primed = new boolean[viewers.size()];
    this.unprimed = viewers.size();
  }

  /**
   * Every viewer asks for the pixel (a joiner's first request is answered at once from the gateway's
   * copy: not a sample); the first key goes {@code phaseNanos} later, once all have had that answer.
   */
  void start(long phaseNanos) {
    loop.execute(() -> {
      for (int i = 0; i < viewers.size(); i++) {
        int index = i;
        RfbViewer v = viewers.get(i);
        v.listener((viewer, bytes) -> update(index));
        v.ping();
      }
      due = System.nanoTime() + phaseNanos;
      loop.schedule(this::fire, phaseNanos, TimeUnit.NANOSECONDS);
    });
  }

  void stop() {
    loop.execute(() -> running = false);
  }

  /** Updates that did not come within {@value #LOST_MS} ms of their key (read on the loop). */
  long lost() {
    return lost;
  }

  private void fire() {
    if (!running) return;
    if (unprimed > 0) { // a viewer still waits for its first answer: not a key's
      due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
      loop.schedule(this::fire, 1, TimeUnit.MILLISECONDS);
      return;
    }
    send(System.nanoTime());
  }

  private void send(long from) {
    RfbViewer controller = viewers.get(0);
    if (!running || !controller.isOpen()) return;
    start = from;
    outstanding = 0;
    for (int i = 0; i < viewers.size(); i++) {
      waiting[i] = viewers.get(i).isOpen();
      if (waiting[i]) outstanding++;
    }
    down = !down;
    controller.keyEvent(KEYSYM, down);
    timeout = loop.schedule(this::timedOut, LOST_MS, TimeUnit.MILLISECONDS);
  }

  private void update(int index) {
    long now = System.nanoTime();
    RfbViewer v = viewers.get(index);
    v.ping(); // the next request, pending until the next change
    if (!primed[index]) {
      primed[index] = true;
      unprimed--;
      return;
    }
    if (!waiting[index]) return;
    waiting[index] = false;
    if (recorder.recording) recorder.latencies.add(now - start);
    if (--outstanding == 0) {
      timeout.cancel(false);
      next(now);
    }
  }

  private void timedOut() {
    if (outstanding == 0) return;
    if (recorder.recording) lost += outstanding;
    outstanding = 0;
    Arrays.fill(waiting, false);
    next(System.nanoTime());
  }

  private void next(long now) {
    due += intervalNanos;
    if (!running) return;
    long wait = due - now;
    if (wait <= 0) {
      send(due);
    } else {
      loop.schedule(this::fire, wait, TimeUnit.NANOSECONDS);
    }
  }
}
