package dev.appliancesync.realtime;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How live delivery and catch-up behave, and the bounds that keep one client from hurting the others. */
@ConfigMapping(prefix = "appliance-sync.realtime")
public interface RealtimeConfig {

    /** How long change-log entries are kept for catch-up; an older cursor gets CURSOR_EXPIRED. */
    @WithDefault("7D")
    Duration retention();

    /** How often retention runs. */
    @WithDefault("10M")
    Duration retentionInterval();

    /**
     * The change log is read on every NOTIFY; this is the fallback for a missed one (a lost LISTEN connection) and for
     * entries held back behind a transaction that had not committed yet.
     */
    @WithDefault("500MS")
    Duration pollInterval();

    /** Entries read from the change log at once. */
    @WithDefault("500")
    int batchSize();

    /** How often shares that reached their expiry are announced (SHARE_EXPIRED) and cut off. */
    @WithDefault("5S")
    Duration expiryInterval();

    /** Open subscription connections one user may hold on one instance. */
    @WithDefault("10")
    int maxConnectionsPerUser();

    /**
     * How long a new WebSocket connection has to be acknowledged as a signed-in user (connection_init with a valid
     * token) before it is closed with 4408. Pings do not extend it: holding a socket open costs a token.
     */
    @WithDefault("5S")
    Duration connectionInitTimeout();

    /**
     * WebSocket connections on one instance not yet counted against a user (before connection_init is acknowledged,
     * or acknowledged without a token); the next one is closed at once with 1013 (try again later).
     */
    @WithDefault("1000")
    int maxUnauthenticatedConnections();

    /** Active subscriptions on one connection. */
    @WithDefault("25")
    int maxSubscriptionsPerConnection();

    /** Events waiting for one subscriber before it is ended as too slow (SLOW_CONSUMER). */
    @WithDefault("256")
    int maxBufferedEvents();

    /** Bytes waiting to be written to one connection before it is closed as too slow (close code 4008). */
    @WithDefault("1048576")
    int maxWriteQueueBytes();

    /** Most entries one `changes(since:)` page returns. */
    @WithDefault("500")
    int maxPageSize();

    /**
     * Serve subscriptions to the change-fed fields ({@code applianceState}, {@code changes}, {@code shareChanges},
     * {@code preferencesChanged}) on this instance's own multiplexed path, over graphql-transport-ws, graphql-ws and
     * AppSync's realtime protocol alike: each change rendered once per group of subscribers who see the same, rather
     * than executed by the engine once per subscriber. False sends every subscription through SmallRye, as it
     * was before this path: a fallback switch, should a client depend on something only the engine does.
     */
    @WithDefault("true")
    boolean multiplexed();
}
