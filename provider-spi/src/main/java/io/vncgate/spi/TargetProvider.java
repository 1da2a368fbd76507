package io.vncgate.spi;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.pf4j.ExtensionPoint;

/**
 * A source of VNC targets. A provider says <em>where</em> a target is and <em>with what</em>
 * credentials; the gateway owns <em>how</em> it is reached (transports, SSH host-key policy, TLS,
 * timeouts).
 *
 * <p>Every call goes through a gateway facade with a timeout; an exception or a failed stage
 * becomes a clear failure for the user. Throw {@link ProviderException} for failures you can
 * name. Calls may come from any thread and must not block: return a stage and complete it from
 * your own I/O (e.g. {@code java.net.http.HttpClient.sendAsync}).
 */
public interface TargetProvider extends ExtensionPoint {

  /** The provider's name: the prefix of its target ids and its key under {@code providers:}. */
  String name();

  /**
   * Called once before any other call, off the event loop: read and validate configuration here
   * and throw {@link ProviderConfigException} naming the key that is wrong.
   */
  void start(ProviderContext context) throws Exception;

  /** The targets this provider offers. The gateway filters them by the caller's token. */
  CompletionStage<List<TargetInfo>> list(Caller caller);

  /**
   * Where and how to reach one target, for one connection. Called again for every connection,
   * so one-shot upstream tickets work.
   *
   * @param targetId the full id, {@code name() + "/" + local id}
   */
  CompletionStage<TargetRoute> resolve(String targetId, Caller caller);

  /**
   * How the viewers of this target share it, when the gateway's {@code sessions.sharing} does not
   * say: {@link Sharing#FAN_OUT} for a target whose server takes one connection at a time.
   * Called on the event loop for every viewer: answer from memory, never block.
   */
  default Sharing sharing(String targetId) {
    return Sharing.PER_VIEWER;
  }

  /**
   * How many viewers are connected to this target now (every front, relaying connections only),
   * called each time the number changes: a provider that starts targets on demand (a launched
   * desktop, a container from a template) stops them after a period at zero. Called on an event
   * loop: return at once.
   */
  default void viewers(String targetId, int count) {}

  /**
   * A viewer's connection to this target ended from the target's side (the VNC server closed it or
   * the connection broke): say why, if you know, in words for the viewer, e.g. {@code "container
   * lab1 was removed"} or {@code "VM 101 was stopped"}. The gateway appends them to its own words
   * ({@code "the VNC server closed the connection: container lab1 was removed"}); the connection
   * ends the same way either way (its outcome and close code do not change).
   *
   * <p>The gateway waits about a second for the answer, then ends with its own words; answer from
   * your API on your own threads and never block. Empty when you do not know. One line, no
   * secrets (no tokens, passwords or internal addresses): the words reach the viewer, the audit
   * and the log. A fan-out session asks once, for all its viewers, with the caller of the viewer
   * that opened it.
   *
   * @param targetId the full id, as in {@link #resolve}
   */
  default CompletionStage<Optional<String>> whyEnded(String targetId, Caller caller) {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  /** Release resources. Called once, off the event loop. */
  default void stop() {}
}
