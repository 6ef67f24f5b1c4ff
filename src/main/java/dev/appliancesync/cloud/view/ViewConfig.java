package dev.appliancesync.cloud.view;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the service publishes the app-facing view topics (see {@link ViewRelay}). */
@ConfigMapping(prefix = "appliance-sync.cloud.view")
public interface ViewConfig {

    /** Off: nothing is published on the view topics (the cursor stays where it is). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Every instance is woken by each change-log commit (its own, or another instance's NOTIFY); this is the fallback
     * for a missed wake-up, for entries held back behind a transaction still open, and for taking over the lease.
     */
    @WithDefault("1S")
    Duration interval();

    /** Change-log entries read (and their messages published) per page; the cursor moves once per page. */
    @WithDefault("200")
    int pageSize();

    /**
     * How long the instance that publishes holds the cursor without renewing it (each page renews it). Another
     * instance takes over this long after the holder died or stalled; a page must be acknowledged within half of it.
     */
    @WithDefault("30S")
    Duration lease();

    /**
     * QoS 1 publishes of the view waiting for their PUBACK at once: a share of the connection's window
     * ({@code max-inflight-publishes}), so that commands to devices always find room.
     */
    @WithDefault("10")
    int maxInFlight();

    /**
     * View publishes a second, at most: IoT Core accepts 100 publishes a second on one connection (not adjustable),
     * and commands to devices go out on the same one.
     */
    @WithDefault("80")
    int maxPerSecond();

    default Duration pageTimeout() {
        return lease().dividedBy(2);
    }
}
