package dev.appliancesync.identity;

import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Access tokens as the {@code Authorization} value carries them: {@code Bearer <jwt>} or, as AWS Amplify and other
 * AppSync clients send it, the bare JWT. Verified by the same OIDC provider as every HTTP request.
 */
@ApplicationScoped
public class AccessTokens {

    private static final String BEARER = "Bearer ";
    /** A compact JWS: three base64url parts. Anything else is left for the authenticator to refuse. */
    private static final Pattern BARE_JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final IdentityProviderManager identities;

    public AccessTokens(IdentityProviderManager identities) {
        this.identities = identities;
    }

    /** The header value with the Bearer scheme: a bare JWT gets it; anything else is returned as it came. */
    public static String withBearerScheme(String authorization) {
        if (authorization == null) {
            return null;
        }
        String trimmed = authorization.trim();
        return BARE_JWT.matcher(trimmed).matches() ? BEARER + trimmed : authorization;
    }

    /**
     * The identity an Authorization value stands for; fails with {@link AuthenticationFailedException} if it is
     * missing, not a bearer token or not valid. {@code request} is the HTTP request (an upgrade) it arrived with:
     * the OIDC provider resolves its tenant from it. The identity does not keep it ({@link DetachedIdentity}).
     */
    public Uni<SecurityIdentity> verify(String authorization, RoutingContext request) {
        String value = withBearerScheme(authorization);
        if (value == null || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("No bearer token"));
        }
        TokenAuthenticationRequest verification = new TokenAuthenticationRequest(
                new AccessTokenCredential(value.substring(BEARER.length()).trim()));
        HttpSecurityUtils.setRoutingContextAttribute(verification, request);
        // Detached: the identity serves a connection for hours, and must not keep the request it was verified with.
        return identities.authenticate(verification)
                .onItem().ifNull().failWith(() -> new AuthenticationFailedException("Token not accepted"))
                .map(DetachedIdentity::of);
    }
}
