package io.vncgate.providers.ssh.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * AWS EC2 discovery ({@code providers.ssh.aws}): running instances carrying a tag, reached on
 * their public or private IPv4 address.
 *
 * @param tagValue the tag's required value, or null when only the key must be present
 * @param endpoint an endpoint override (tests, VPC endpoints), or null for the region's default
 * @param accessKeyIdFile with {@code secretAccessKeyFile}: static credentials; both null: the
 *     SDK's default chain (environment, profile, instance role…)
 */
public record AwsSettings(String region, String tagKey, String tagValue, URI endpoint, Path accessKeyIdFile,
    Path secretAccessKeyFile, boolean privateAddress, Access access) {
  public AwsSettings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(tagKey, "tagKey");
    Objects.requireNonNull(access, "access");
    if ((accessKeyIdFile == null) != (secretAccessKeyFile == null)) {
      throw new IllegalArgumentException("access key id and secret access key files go together");
    }
  }
}
