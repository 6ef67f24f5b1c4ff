package dev.appliancesync.common.graphql;

import io.smallrye.config.ConfigMapping;

/** Limits that keep one request, or one caller, from taking the service down; set in application.properties. */
@ConfigMapping(prefix = "appliance-sync.graphql")
public interface GraphQLLimitsConfig {

    /** Deepest selection nesting a document may have. */
    int maxDepth();

    /** The most one request may cost, as {@link FieldCosts} counts it; a costlier one is refused before it runs. */
    long maxCost();

    /** Most grammar tokens a document may have before parsing stops. */
    int maxTokens();

    /** Each caller's share of this instance, spent by the cost of their requests. */
    RateLimit rateLimit();

    interface RateLimit {

        /** The most a caller may spend at once: their bucket's size (at least {@link #maxCost()}). */
        long burst();

        /** What a caller's bucket regains each second. */
        long perSecond();

        /** Callers whose buckets are kept before full (idle) ones are dropped. */
        int trackedCallers();
    }
}
