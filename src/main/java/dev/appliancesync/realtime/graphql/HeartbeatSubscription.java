package dev.appliancesync.realtime.graphql;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.identity.SignedInPrincipal;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;

/**
 * Lets a client (or a person in GraphiQL) check that its subscription connection is up and authenticated.
 * Mobile networks drop idle WebSockets silently; an app that misses heartbeats reconnects and catches up.
 */
@GraphQLApi
public class HeartbeatSubscription {

    static final int MIN_SECONDS = 1;
    static final int MAX_SECONDS = 300;
    /** Ticks cannot start at zero delay; a millisecond is "at once" for anyone watching. */
    private static final Duration FIRST_BEAT = Duration.ofMillis(1);

    private final CurrentUser currentUser;

    public HeartbeatSubscription(CurrentUser currentUser) {
        this.currentUser = currentUser;
    }

    @Subscription("heartbeat")
    @NonNull
    @Description("A heartbeat at once, then every `everySeconds` seconds (1 to 300), for as long as the connection stays authenticated")
    public Multi<Heartbeat> heartbeat(@DefaultValue("30") int everySeconds) {
        // Thrown, not returned as a failed stream: SmallRye then answers with the protocol's error message.
        SignedInPrincipal principal = currentUser.principal();
        if (everySeconds < MIN_SECONDS || everySeconds > MAX_SECONDS) {
            throw ApiException.validation("everySeconds must be between " + MIN_SECONDS + " and " + MAX_SECONDS);
        }
        return Multi.createFrom().ticks()
                .startingAfter(FIRST_BEAT)
                .every(Duration.ofSeconds(everySeconds))
                .onOverflow().drop()
                .map(tick -> new Heartbeat(OffsetDateTime.now(ZoneOffset.UTC), Math.toIntExact(tick + 1),
                        principal.username()));
    }
}
