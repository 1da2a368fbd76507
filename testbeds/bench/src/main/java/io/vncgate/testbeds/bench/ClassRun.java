package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vncgate.testbeds.bench.ClassViewer.Outcome;
import io.vncgate.testbeds.bench.ClassViewer.Way;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs class-start viewers on the viewers' event loop: a burst (every viewer's connect started at
 * an even step within a window) or one viewer after another. Called from the main thread; every
 * wait is bounded.
 */
final class ClassRun {
  private final EventLoop loop;
  private final ClassViewer viewers;
  private final Tickets tickets;
  private final String target;

  ClassRun(EventLoop loop, ClassViewer viewers, Tickets tickets, String target) {
    this.loop = loop;
    this.viewers = viewers;
    this.tickets = tickets;
    this.target = target;
  }

  /** What a burst gave: each viewer's outcome, in start order, and how long issuing its tickets took beforehand. */
  record Burst(List<Outcome> outcomes, double ticketsS) {
  }

  /**
   * Issues the tickets the ways need, then starts viewer {@code i} at {@code i × window / n} and
   * waits until every viewer has its first framebuffer or its failure; closes them all after.
   */
  Burst burst(List<Way> ways, long windowMs) {
    long t = System.nanoTime();
    List<Future<String>> issued = ways.stream()
        .map(w -> w.needsTicket() ? tickets.next(target) : Future.<String>succeededFuture(null)).toList();
    List<String> ticketList = Phases.await(Future.all(issued).map(cf -> cf.<String>list()), 120,
        ways.size() + " tickets");
    double ticketsS = (System.nanoTime() - t) / 1e9;
    List<RfbViewer> opened = Collections.synchronizedList(new ArrayList<>());
    Outcome[] outcomes = new Outcome[ways.size()];
    Promise<Void> all = Promise.promise();
    int[] left = {ways.size()};
    loop.execute(() -> {
      for (int i = 0; i < ways.size(); i++) {
        int k = i;
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(windowMs) * i / ways.size();
        loop.schedule(() -> viewers.open(ways.get(k), ticketList.get(k), opened).onComplete(r -> {
          outcomes[k] = r.result();
          if (--left[0] == 0) all.complete();
        }), delayNanos, TimeUnit.NANOSECONDS);
      }
    });
    Phases.await(all.future(), ClassViewer.FIRST_FRAME_TIMEOUT_S + windowMs / 1000 + 30, "the class to open");
    close(opened);
    return new Burst(List.of(outcomes), ticketsS);
  }

  /** One connect of the sequential series: the ticket's issue time (0 without a ticket) and the outcome. */
  record Single(long issueNanos, Outcome outcome) {
  }

  /** {@code count} viewers one after another, each closed before the next: issue a ticket (timed apart), connect. */
  List<Single> sequential(Way way, int count) {
    List<Single> result = new ArrayList<>();
    for (int i = 0; i < count; i++) result.add(one(way));
    return result;
  }

  /** One viewer alone (also the probe of whether Xvnc blocks the loopback address). */
  Single one(Way way) {
    long t = System.nanoTime();
    String ticket = way.needsTicket() ? Phases.await(tickets.next(target), 30, "a ticket") : null;
    long issue = way.needsTicket() ? System.nanoTime() - t : 0;
    List<RfbViewer> opened = Collections.synchronizedList(new ArrayList<>());
    Promise<Outcome> done = Promise.promise();
    loop.execute(() -> viewers.open(way, ticket, opened).onComplete(r -> done.complete(r.result())));
    Outcome o = Phases.await(done.future(), ClassViewer.FIRST_FRAME_TIMEOUT_S + 10, "one " + way.label + " viewer");
    close(opened);
    return new Single(issue, o);
  }

  private void close(List<RfbViewer> opened) {
    List<RfbViewer> all;
    synchronized (opened) {
      all = List.copyOf(opened);
    }
    loop.execute(() -> all.forEach(RfbViewer::close));
    try {
      Future.join(all.stream().map(RfbViewer::closed).toList()).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a viewer that does not see its close within 30 s is left to the event loop's shutdown
    }
  }
}
