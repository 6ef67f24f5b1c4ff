package dev.appliancesync.realtime.appsync;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The AppSync realtime endpoint ({@code <graphql root>/realtime}) for AWS Amplify and other AppSync clients. */
@ConfigMapping(prefix = "appliance-sync.appsync")
public interface AppSyncConfig {

    /**
     * Told to the client in connection_ack ({@code connectionTimeoutMs}): a client that hears nothing (no ka, no data)
     * for this long reconnects. AppSync's own value.
     */
    @WithDefault("300S")
    Duration connectionTimeout();

    /** How often a ka keep-alive goes out; must be shorter than the connection timeout. */
    @WithDefault("60S")
    Duration keepAliveInterval();
}
