package io.vncgate.gateway.provider.plugin;

import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderContext;
import java.nio.file.Path;

/** What a provider gets at start: its config subtree, the config folder and the gateway's version. */
record GatewayProviderContext(ProviderConfig config, Path configDirectory, String gatewayVersion)
    implements ProviderContext {}
