package dev.appliancesync.fleet;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Bounds on one fleet search, so that no query, however written, costs the database more than the service means to
 * spend on it: each bound exceeded is a typed error, never a slow query.
 */
@ConfigMapping(prefix = "appliance-sync.fleet")
public interface FleetConfig {

    /** The most appliances one page returns ({@code first}). */
    @WithDefault("100")
    int maxPageSize();

    /** The page size when {@code first} is omitted. */
    @WithDefault("20")
    int defaultPageSize();

    /** The most filters (typed filters and attribute conditions, counted through and/or/not) in one query. */
    @WithDefault("32")
    int maxFilters();

    /** How deeply and/or/not may nest. */
    @WithDefault("4")
    int maxDepth();

    /** The most values one {@code in} list may hold. */
    @WithDefault("50")
    int maxInValues();

    /** The most buckets {@code counts} returns (the largest first). */
    @WithDefault("100")
    int maxCountBuckets();

    /**
     * The most fleet groups there may be: every shadow or presence change evaluates each group's query for its
     * appliance, in the transaction that stores it.
     */
    @WithDefault("100")
    int maxGroups();

    /**
     * How often an open fleetGroupChanged subscription reads its group's events when no change wake-up came: the bound
     * on how late a change is delivered if a wake-up is lost (a dropped LISTEN connection).
     */
    @WithDefault("1s")
    Duration groupPollInterval();

    /** The most events one read of a group's events delivers; the next read follows at once. */
    @WithDefault("200")
    int groupEventBatch();
}
