package io.vncgate.providers.ssh.aws;

import io.vncgate.providers.ssh.config.AwsSettings;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/** Builds the EC2 client: region and endpoint from config, credentials from files or the SDK chain. */
final class Ec2Clients {
  private Ec2Clients() {}

  static Ec2Client create(AwsSettings settings) {
    Ec2ClientBuilder builder = Ec2Client.builder()
        .region(Region.of(settings.region()))
        // the JDK's HTTP client: no Netty or Apache HttpClient in the plugin
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(20))
            .build())
        .credentialsProvider(credentials(settings))
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60)));
    if (settings.endpoint() != null) builder.endpointOverride(settings.endpoint());
    return builder.build();
  }

  /** Files are read at each signing, so rotated keys are picked up; never logged. */
  private static AwsCredentialsProvider credentials(AwsSettings settings) {
    if (settings.accessKeyIdFile() == null) return DefaultCredentialsProvider.builder().build();
    return () -> AwsBasicCredentials.create(read(settings.accessKeyIdFile()), read(settings.secretAccessKeyFile()));
  }

  private static String read(Path file) {
    try {
      String value = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) throw new ProviderException(Kind.MISCONFIGURED, "AWS credentials file " + file + " is empty");
      return value;
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "AWS credentials file " + file + " cannot be read ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
