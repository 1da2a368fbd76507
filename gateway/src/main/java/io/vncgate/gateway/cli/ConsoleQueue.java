package io.vncgate.gateway.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console log's queue (logback.xml): log lines are handed to a thread of their own that
 * writes them to standard error, so an event loop that logs (the access log, a connection's end)
 * never waits for whoever reads the gateway's output. When that reader stalls (a full pipe, a
 * journald or container log driver applying backpressure) the queue fills; then lines are dropped
 * instead of stopping the gateway: first INFO and below once the queue is four-fifths full
 * (logback's discarding threshold), then every line when it is full. They are counted, and the
 * first line queued after it has room again is a warning saying how many were dropped and why.
 */
public class ConsoleQueue extends AsyncAppender {
  /** The logger the warning about dropped lines is written under. */
  static final String LOGGER = "vncgate.log";

  private final AtomicLong dropped = new AtomicLong();

  public ConsoleQueue() {
    setNeverBlock(true);
  }

  /** Called only when the queue is above the discarding threshold: a line discarded there is counted. */
  @Override
  protected boolean isDiscardable(ILoggingEvent event) {
    boolean discard = super.isDiscardable(event);
    if (discard) dropped.incrementAndGet();
    return discard;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      dropped.incrementAndGet();
      return;
    }
    long lost = dropped.get();
    if (lost > 0 && !isQueueBelowDiscardingThreshold() && dropped.compareAndSet(lost, 0)) {
      super.append(droppedWarning(lost));
    }
    super.append(event);
  }

  /** Lines dropped and not yet reported (tests). */
  long dropped() {
    return dropped.get();
  }

  private ILoggingEvent droppedWarning(long lost) {
    ch.qos.logback.classic.Logger logger = ((LoggerContext) getContext()).getLogger(LOGGER);
    return new LoggingEvent(ConsoleQueue.class.getName(), logger, Level.WARN,
        "{} log line(s) dropped: standard error was not read as fast as the gateway wrote to it (a stalled or slow"
            + " reader of its output, e.g. a log driver applying backpressure); the gateway went on serving. Check"
            + " what reads its output", null, new Object[] {lost});
  }
}
