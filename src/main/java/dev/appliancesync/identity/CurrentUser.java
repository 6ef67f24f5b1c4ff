package dev.appliancesync.identity;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.error.ApiException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;

/**
 * The signed-in caller of the current GraphQL operation, over HTTP or WebSocket. The identity is already resolved by
 * then (proactive authentication on HTTP, the upgrade or connection_init on WebSocket), so reading it never blocks.
 */
@ApplicationScoped
public class CurrentUser {

    private static final String MEMO_KEY = "appliance-sync.signed-in-user.";

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

    /** The caller with their token's facts (groups), or a failed Uni with UNAUTHENTICATED. */
    public Uni<Caller> caller() {
        SignedInPrincipal principal;
        try {
            principal = principal();
        } catch (ApiException unauthenticated) {
            return Uni.createFrom().failure(unauthenticated);
        }
        // The principal read now, on the operation's context: a subscription waiting for admission resolves its
        // caller later, and a shared sign-in may end elsewhere, where no identity is associated.
        return user().map(user -> new Caller(user, principal));
    }

    /**
     * The caller signed in as {@code signedIn}, a connection's identity, for work that runs outside the operation's
     * request (the multiplexed subscriptions); UNAUTHENTICATED if it is anonymous.
     */
    public Uni<Caller> callerOf(SecurityIdentity signedIn) {
        if (signedIn == null || signedIn.isAnonymous()) {
            return Uni.createFrom().failure(ApiException.unauthenticated());
        }
        SignedInPrincipal principal = SignedInPrincipal.of(signedIn);
        return users.signIn(principal).map(user -> new Caller(user, principal));
    }

    /**
     * The caller's user row (created on first use), or a failed Uni with UNAUTHENTICATED. Signed in once per request
     * (memoised on the request's Vert.x context), however many resolvers ask.
     */
    public Uni<AppUser> user() {
        SignedInPrincipal principal;
        try {
            principal = principal();
        } catch (ApiException unauthenticated) {
            return Uni.createFrom().failure(unauthenticated);
        }
        if (!VertxContext.isOnDuplicatedContext()) {
            return users.signIn(principal);
        }
        String key = MEMO_KEY + principal.subject();
        Uni<AppUser> memo = ContextLocals.<Uni<AppUser>> get(key).orElse(null);
        if (memo == null) {
            memo = users.signIn(principal).memoize().indefinitely();
            ContextLocals.put(key, memo);
        }
        return memo;
    }
}
