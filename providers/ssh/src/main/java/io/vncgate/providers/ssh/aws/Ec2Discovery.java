package io.vncgate.providers.ssh.aws;

import io.vncgate.providers.ssh.Discovery;
import io.vncgate.providers.ssh.SshHost;
import io.vncgate.providers.ssh.config.AwsSettings;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Running EC2 instances carrying the configured tag, as {@code ssh/aws/<instance id>}, named by
 * their {@code Name} tag. Uses the SDK's synchronous client and paginator on the provider's own
 * threads, so no caller ever blocks.
 */
public final class Ec2Discovery implements Discovery {
  private static final Logger log = LoggerFactory.getLogger(Ec2Discovery.class);
  static final int PAGE_SIZE = 100;

  private final AwsSettings settings;
  private final Executor executor;
  private final Ec2Client client;

  public Ec2Discovery(AwsSettings settings, Executor executor) {
    this.settings = settings;
    this.executor = executor;
    this.client = Ec2Clients.create(settings);
  }

  @Override
  public String name() {
    return "aws";
  }

  @Override
  public CompletableFuture<List<SshHost>> hosts() {
    return CompletableFuture.supplyAsync(this::listInstances, executor);
  }

  @Override
  public void close() {
    client.close();
  }

  private List<SshHost> listInstances() {
    Filter tag = settings.tagValue() == null
        ? Filter.builder().name("tag-key").values(settings.tagKey()).build()
        : Filter.builder().name("tag:" + settings.tagKey()).values(settings.tagValue()).build();
    DescribeInstancesRequest request = DescribeInstancesRequest.builder()
        .filters(tag, Filter.builder().name("instance-state-name").values("running").build())
        .maxResults(PAGE_SIZE)
        .build();
    List<SshHost> out = new ArrayList<>();
    try {
      for (DescribeInstancesResponse page : client.describeInstancesPaginator(request)) {
        for (Reservation reservation : page.reservations()) {
          reservation.instances().forEach(i -> toHost(i, out));
        }
      }
    } catch (AwsServiceException e) {
      throw new ProviderException(Kind.UNAVAILABLE, "AWS EC2 DescribeInstances in " + settings.region() + " answered "
          + e.statusCode() + errorWords(e));
    } catch (SdkException e) {
      throw new ProviderException(Kind.UNAVAILABLE, "AWS EC2 DescribeInstances in " + settings.region()
          + " failed: " + firstLine(e.getMessage()));
    }
    return List.copyOf(out);
  }

  private void toHost(Instance i, List<SshHost> out) {
    String address = settings.privateAddress() ? i.privateIpAddress() : i.publicIpAddress();
    if (address == null) {
      log.debug("EC2 instance {} has no {} IPv4 address; not listed", i.instanceId(),
          settings.privateAddress() ? "private" : "public");
      return;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (Tag t : i.tags()) labels.put(t.key(), t.value());
    String name = labels.getOrDefault("Name", i.instanceId());
    out.add(new SshHost("ssh/aws/" + i.instanceId(), name, labels, address, settings.access()));
  }

  /**
   * " AuthFailure: message" from the error body. On a 401 the JDK's HttpURLConnection (under the
   * url-connection client) drops the body of a streamed POST, so say what a 401 means instead.
   */
  private static String errorWords(AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    if (code == null && e.statusCode() == 401) {
      return ": the credentials were not accepted; check access-key-id-file and secret-access-key-file"
          + " (or the SDK's default credentials)";
    }
    return (code == null ? "" : " " + code) + (message == null ? "" : ": " + message);
  }

  private static String firstLine(String message) {
    if (message == null) return "unknown error";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
