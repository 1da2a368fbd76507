package io.vncgate.providers.ssh;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A cloud API that lists hosts. Fails with a {@code ProviderException} naming the API and status. */
public interface Discovery extends AutoCloseable {

  /** The id segment after {@code ssh/}, e.g. {@code hetzner}. */
  String name();

  CompletableFuture<List<SshHost>> hosts();

  @Override
  default void close() {}
}
