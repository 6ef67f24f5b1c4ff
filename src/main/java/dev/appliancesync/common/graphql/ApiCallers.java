package dev.appliancesync.common.graphql;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/** Who a request counts against: the signed-in user, or, for anonymous requests, the address they come from. */
public final class ApiCallers {

    private ApiCallers() {
    }

    /** The signed-in user's subject (their token's {@code sub}), or null for an anonymous request. */
    public static String signedInSubject(RoutingContext ctx) {
        return ctx.user() instanceof QuarkusHttpUser user ? subjectOf(user.getSecurityIdentity()) : null;
    }

    /** The subject (their token's {@code sub}) of a signed-in identity, or null for none or an anonymous one. */
    public static String subjectOf(SecurityIdentity identity) {
        // The token's sub, as identity's SignedInPrincipal reads it; read here so the request guards below identity
        // need not depend on it.
        return identity == null || identity.isAnonymous() ? null
                : ((JsonWebToken) identity.getPrincipal()).getSubject();
    }

    /**
     * The key of the caller's rate limit. Anonymous callers (who can only ask for {@code __typename} and the schema)
     * share one per client address; behind an ingress that is the ingress's own address, unless Quarkus is told to
     * trust its forwarding headers ({@code quarkus.http.proxy.*}), so all of them share one.
     */
    public static String key(RoutingContext ctx) {
        String subject = signedInSubject(ctx);
        return subject != null ? userKey(subject) : anonymousKey(ctx.request().remoteAddress());
    }

    /**
     * The same key for a caller known by its identity (null: not signed in) and address, e.g. a subscription
     * connection's, which keeps no request.
     */
    public static String key(SecurityIdentity identity, SocketAddress address) {
        String subject = subjectOf(identity);
        return subject != null ? userKey(subject) : anonymousKey(address);
    }

    private static String anonymousKey(SocketAddress address) {
        return "anonymous:" + (address == null ? "unknown" : address.hostAddress());
    }

    /** The rate-limit key of a signed-in user (their token's {@code sub}), however their request came. */
    public static String userKey(String subject) {
        return "user:" + subject;
    }
}
