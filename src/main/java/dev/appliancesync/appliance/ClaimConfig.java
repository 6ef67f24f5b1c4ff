package dev.appliancesync.appliance;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits on guessing claim codes: failed claims are counted per user and per serial number over a sliding window. */
@ConfigMapping(prefix = "appliance-sync.claims")
public interface ClaimConfig {

    @WithDefault("5")
    int maxFailuresPerUser();

    /** Across all users, so many accounts cannot share the guessing. */
    @WithDefault("10")
    int maxFailuresPerSerial();

    @WithDefault("15m")
    Duration window();
}
