package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * Drives one viewer's round trips: a one-pixel update request every {@code interval}, at most one
 * outstanding.
 * A request sent on its timer is timed from when it went out (the timer's own lateness is the
 * client's, not the relay's). A request that could not go out when due, because the previous
 * response was late, is timed from when it was due: a slow response is also charged to the
 * requests queued behind it (no coordinated omission). Runs on the viewers' event loop.
 */
final class Pacer implements RfbViewer.Listener {
  private final RfbViewer viewer;
  private final EventLoop loop;
  private final long intervalNanos;
  private final Recorder recorder;
  private long due;
  private long start;
  private boolean running = true;

  /** Where the samples go; {@code recording} is switched on after the warm-up. */
  static final class Recorder {
    final Latencies latencies = new Latencies();
    volatile boolean recording;
  }

  Pacer(RfbViewer viewer, EventLoop loop, long intervalNanos, Recorder recorder) {
    this.viewer = viewer;
    this.loop = loop;
    this.intervalNanos = intervalNanos;
    this.recorder = recorder;
  }

  /** Starts after {@code phaseNanos}, so many viewers do not fire in lockstep. */
  void start(long phaseNanos) {
    loop.execute(() -> {
      viewer.listener(this);
      due = System.nanoTime() + phaseNanos;
      loop.schedule(this::fire, phaseNanos, TimeUnit.NANOSECONDS);
    });
  }

  void stop() {
    loop.execute(() -> running = false);
  }

  private void fire() {
    send(System.nanoTime());
  }

  private void send(long from) {
    if (!running || !viewer.isOpen()) return;
    start = from;
    viewer.ping();
  }

  @Override
  public void update(RfbViewer v, long bytes) {
    long now = System.nanoTime();
    if (recorder.recording) recorder.latencies.add(now - start);
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
