package io.vncgate.gateway.e2e;

import io.vncgate.testbeds.Nginx;
import java.nio.file.Path;

/**
 * A real nginx in front of a gateway served under {@code /vnc}, configured as docs/deploy.md
 * ("Behind a reverse proxy") says, except that nginx connects to the gateway from 127.0.0.2 (the
 * gateway trusts that address only), so a test's own direct requests from 127.0.0.1 are not the
 * proxy's.
 */
public final class ProxiedGateway {
  /** The address nginx connects to the gateway from: the gateway's {@code server.trusted-proxies}. */
  public static final String PROXY_ADDRESS = "127.0.0.2";
  /** The gateway's {@code server:} lines for these tests. */
  public static final String SERVER_YAML = "  base-path: /vnc\n  trusted-proxies: [" + PROXY_ADDRESS + "/32, \"::1\"]\n";

  private ProxiedGateway() {}

  /** Starts nginx in {@code dir}, forwarding {@code /vnc/} to the gateway on {@code gatewayPort}. */
  public static Nginx nginx(Path dir, int gatewayPort) throws Exception {
    String http = "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
    String server = String.join("\n",
        "    listen LISTEN;",
        "    location /vnc/ {",
        "      proxy_pass http://127.0.0.1:" + gatewayPort + ";",
        "      proxy_bind " + PROXY_ADDRESS + ";",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Upgrade $http_upgrade;",
        "      proxy_set_header Connection $connection_upgrade;",
        "      proxy_set_header Host $http_host;",
        "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "      proxy_set_header X-Forwarded-Proto $scheme;",
        "      proxy_set_header X-Forwarded-Host $http_host;",
        "      proxy_read_timeout 1h;",
        "      proxy_send_timeout 1h;",
        "      proxy_buffering off;",
        "    }");
    return Nginx.start(dir, http, server);
  }
}
