package dev.appliancesync.appliance;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Limits on guessing claim codes. Wrong codes are counted per user over a sliding window, and a user over the limit
 * gets no more codes checked. There is deliberately no limit per serial number: anyone could use it to keep the buyer
 * from claiming their own appliance; failures per serial number are only a signal (a warning and a metric).
 */
@ConfigMapping(prefix = "appliance-sync.claims")
public interface ClaimConfig {

    /** Wrong claim codes one account may try within {@link #window()}; the next claims are RATE_LIMITED. */
    @WithDefault("5")
    int maxFailuresPerUser();

    @WithDefault("15m")
    Duration window();

    /** Every so many wrong codes on one serial number within the window (from anyone), a warning and a metric. */
    @WithDefault("10")
    int serialAlertFailures();

    /**
     * The fewest characters a claim code given to {@code provisionAppliance} may have: with the per-user limit, what
     * makes guessing hopeless (docs/authorisation.md works out the odds). Devices that announce themselves send only a hash.
     */
    @WithDefault("12")
    int minCodeLength();
}
