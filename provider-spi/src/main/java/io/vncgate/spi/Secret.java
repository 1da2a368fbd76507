package io.vncgate.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret value (password, token). Its {@link #toString()} never shows the value, so a secret
 * that slips into a log line or an exception message stays hidden.
 */
public final class Secret {
  private final byte[] value;

  private Secret(byte[] value) {
    this.value = value;
  }

  public static Secret of(byte[] value) {
    return new Secret(Objects.requireNonNull(value, "value").clone());
  }

  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
  }

  /** A copy of the raw bytes. */
  public byte[] bytes() {
    return value.clone();
  }

  /** The value as UTF-8 text. */
  public String reveal() {
    return new String(value, StandardCharsets.UTF_8);
  }

  public boolean isEmpty() {
    return value.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && MessageDigest.isEqual(value, s.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Secret[***]";
  }
}
