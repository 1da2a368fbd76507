package io.vncgate.testbeds.docker;

import io.vncgate.testbeds.VncPasswd;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A desktop container for the docker provider's tests, run by Testcontainers from the locally
 * built {@link DesktopImage}: never pulled (pull policy: never), no port published (the gateway
 * reaches it at its bridge address), its VNC password file put inside before it starts, ready when
 * Xvnc logs that it listens (a port check needs tools the image lacks). Ryuk is off on these
 * machines ({@code TESTCONTAINERS_RYUK_DISABLED=true}): close every container you start.
 */
public final class DesktopContainer extends GenericContainer<DesktopContainer> {
  public static final String READY = ".*Listening for VNC connections.*";

  private final String name;

  private DesktopContainer(String name) {
    super(DockerImageName.parse(DesktopImage.ensure()));
    this.name = name;
    withImagePullPolicy(image -> false);
    withCreateContainerCmdModifier(cmd -> cmd.withName(name));
    waitingFor(Wait.forLogMessage(READY, 1).withStartupTimeout(Duration.ofSeconds(30)));
  }

  /**
   * A container named {@code name} offered to the gateway ({@code vncgate.target=true} and the
   * extra labels), its VNC password {@code password} in {@link DesktopImage#PASSWORD_FILE}
   * (TigerVNC's vncpasswd format); not started yet.
   */
  public static DesktopContainer offered(String name, String password, Map<String, String> labels) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("vncgate.target", "true");
    all.putAll(labels);
    return unlabelled(name, password).withLabels(all);
  }

  /** The same desktop without the label that offers it. */
  public static DesktopContainer unlabelled(String name, String password) {
    return new DesktopContainer(name)
        .withCopyToContainer(Transferable.of(VncPasswd.of(password + "\n"), 0600), DesktopImage.PASSWORD_FILE);
  }

  public String name() {
    return name;
  }

  /** The container's address on the default bridge. */
  public String bridgeAddress() {
    return getContainerInfo().getNetworkSettings().getNetworks().get("bridge").getIpAddress();
  }
}
