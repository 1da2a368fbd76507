package io.vncgate.providers.ssh;

import org.pf4j.Plugin;

/**
 * The PF4J plugin holding the {@code ssh} provider ({@link SshTargetProvider}); it has no state of
 * its own, the provider starts and stops with the gateway's calls.
 */
public class SshProviderPlugin extends Plugin {
  public SshProviderPlugin() {
    super();
  }
}
