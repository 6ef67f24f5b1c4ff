package dev.appliancesync.realtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How fast new subscriptions are admitted on one instance (see {@link SubscriptionAdmission}): their caller signed
 * in, their access read, their first items read. A reconnect storm queues behind these instead of taking the database
 * pool ({@code quarkus.datasource.reactive.max-size}, 20) from the rest of the API.
 */
@ConfigMapping(prefix = "appliance-sync.realtime.admission")
public interface AdmissionConfig {

    /**
     * Subscriptions being admitted at once. Each takes up to three pooled connections while its access is read (the
     * three reads run together), so the default 4 leaves at least 8 of the 20 to queries, mutations and delivery.
     */
    @WithDefault("4")
    int maxConcurrent();

    /** Subscriptions admitted per second at most, with a burst of one second's worth. */
    @WithDefault("1000")
    int perSecond();

    /**
     * Subscriptions waiting for admission at most; the next one is refused at once with RATE_LIMITED (and
     * {@code extensions.retryAfterSeconds}: about when the queue ahead of it will have been admitted) rather than
     * queued behind a wait it could not see the end of. The default holds a storm of 10,000 apps with several
     * subscriptions each, about 50 s of admission at the default rate, a few MB of heap.
     */
    @WithDefault("50000")
    int maxWaiting();
}
