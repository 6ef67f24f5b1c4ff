package dev.appliancesync.common.graphql;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;

/**
 * Decides whether a request may run, before anything of it runs: its operation must be within the depth and cost
 * limits, and its cost is taken from its caller's rate limit. The same for queries and mutations over HTTP and for
 * subscriptions over WebSocket, so one caller's spending is counted once whichever way they come.
 */
@ApplicationScoped
public class RequestLimits {

    /** Requests refused by one of these limits, tagged {@code limit}. */

    private final GraphQLLimitsConfig config;
    private final CallerBuckets buckets;
    private final Counter overDepth;
    private final Counter overCost;
    private final Counter rateLimited;

    public RequestLimits(GraphQLLimitsConfig config, ServiceMetrics metrics) {
        if (config.rateLimit().burst() < config.maxCost()) {
            throw new IllegalStateException("appliance-sync.graphql.rate-limit.burst (" + config.rateLimit().burst()
                    + ") must be at least max-cost (" + config.maxCost() + "), or the costliest request allowed "
                    + "could never run");
        }
        this.config = config;
        this.buckets = new CallerBuckets(config.rateLimit().burst(), config.rateLimit().perSecond(),
                config.rateLimit().trackedCallers(), System::nanoTime);
        this.overDepth = metrics.graphqlRequestsLimited("depth");
        this.overCost = metrics.graphqlRequestsLimited("cost");
        this.rateLimited = metrics.graphqlRequestsLimited("rate");
        metrics.graphqlRateLimitCallers(buckets, CallerBuckets::tracked);
    }

    /** A refusal as a GraphQL error ({@code message}, {@code extensions}), for guards answering before the engine. */
    public static JsonObject error(ApiException refusal) {
        return new JsonObject().put("message", refusal.getMessage())
                .put("extensions", new JsonObject(refusal.extensions()));
    }

    /**
     * Empty if the request may run (its cost is then charged to {@code caller}); else the error to answer with:
     * QUERY_TOO_COMPLEX over the depth or cost limit (nothing charged), RATE_LIMITED over the caller's rate, with
     * {@code retryAfter} in seconds.
     */
    public Optional<ApiException> admit(String caller, OperationCost operation) {
        if (operation.depth() > config.maxDepth()) {
            overDepth.increment();
            return Optional.of(new ApiException(ErrorCode.QUERY_TOO_COMPLEX, "The document nests fields to depth "
                    + operation.depth() + "; the maximum depth is " + config.maxDepth(),
                    Map.of("limit", "depth", "depth", operation.depth(), "maxDepth", config.maxDepth())));
        }
        if (operation.cost() > config.maxCost()) {
            overCost.increment();
            return Optional.of(new ApiException(ErrorCode.QUERY_TOO_COMPLEX, "The document costs "
                    + operation.cost() + "; the most one request may cost is " + config.maxCost()
                    + " (each field counts, each alias and list item again, fields that read the database "
                    + FieldCosts.RESOLVER + ")",
                    Map.of("limit", "cost", "cost", operation.cost(), "maxCost", config.maxCost())));
        }
        long retryAfter = buckets.charge(caller, operation.cost());
        if (retryAfter > 0) {
            rateLimited.increment();
            // retryAfterSeconds as well: claimAppliance's RATE_LIMITED names it so, and one client handler serves both.
            return Optional.of(new ApiException(ErrorCode.RATE_LIMITED, "Too many requests: try again in "
                    + retryAfter + " s", Map.of("limit", "rate", "retryAfter", retryAfter,
                            "retryAfterSeconds", retryAfter)));
        }
        return Optional.empty();
    }
}
