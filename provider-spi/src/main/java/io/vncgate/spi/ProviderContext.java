package io.vncgate.spi;

import java.nio.file.Path;

/** What the gateway hands a provider at start. */
public interface ProviderContext {

  /** The provider's own config subtree ({@code providers.<name>}), with key paths for errors. */
  ProviderConfig config();

  /** The folder of the gateway's config file; relative paths in config resolve against it. */
  Path configDirectory();

  /** The gateway's version, e.g. {@code 0.1.0}. */
  String gatewayVersion();
}
