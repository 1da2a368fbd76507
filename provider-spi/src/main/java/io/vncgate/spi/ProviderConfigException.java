package io.vncgate.spi;

/** A configuration error, naming the full key, e.g. {@code providers.ssh.hosts[0].port}. */
public class ProviderConfigException extends RuntimeException {
  private final String key;

  public ProviderConfigException(String key, String problem) {
    super(key + ": " + problem, null, false, false);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
