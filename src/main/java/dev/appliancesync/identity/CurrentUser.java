package dev.appliancesync.identity;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.error.ApiException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The signed-in caller of the current GraphQL operation, over HTTP or WebSocket. The identity is already resolved by
 * then (proactive authentication on HTTP, the upgrade or connection_init on WebSocket), so reading it never blocks.
 */
@ApplicationScoped
public class CurrentUser {

    private final CurrentIdentityAssociation identity;
    private final UserService users;

    public CurrentUser(CurrentIdentityAssociation identity, UserService users) {
        this.identity = identity;
        this.users = users;
    }

    /**
     * The caller's principal; throws UNAUTHENTICATED. Subscriptions call it before returning their stream, so an
     * unauthenticated subscribe gets the protocol's error message rather than a stream that fails.
     */
    public SignedInPrincipal principal() {
        SecurityIdentity current = identity.getIdentity();
        if (current == null || current.isAnonymous()) {
            throw ApiException.unauthenticated();
        }
        return SignedInPrincipal.of(current);
    }

    /** The caller's user row (created on first use), or a failed Uni with UNAUTHENTICATED. */
    public Uni<AppUser> user() {
        return Uni.createFrom().item(this::principal).flatMap(users::signIn);
    }
}
