package dev.appliancesync.identity;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/**
 * A signed-in identity fit to be held by a long-lived connection (for hours, by every idle subscription connection):
 * the same roles, permissions and attributes (the token's expiry among them), a principal with the claims the service
 * reads ({@link ConnectionPrincipal}), and nothing else of the request or token it was verified from:
 * <ul>
 * <li>not the request: quarkus-oidc puts the request's RoutingContext among the identity's attributes
 * ({@value #ROUTING_CONTEXT}), meant for the length of one request;</li>
 * <li>not the token: its parsed claims (the verified token's principal) and its text (the credential) weigh about
 * 3.5 KiB, and nothing reads them once the connection is signed in. Token expiry needs only the expire-time
 * attribute.</li>
 * </ul>
 */
public final class DetachedIdentity {

    /** The attribute name quarkus-oidc (OidcUtils) and HttpSecurityUtils store the request under. */
    static final String ROUTING_CONTEXT = "io.vertx.ext.web.RoutingContext";

    private DetachedIdentity() {
    }

    /**
     * {@code identity} re-issued as above, or itself when there is nothing to detach (none, anonymous, detached
     * already, not a token's). Not {@code QuarkusSecurityIdentity.builder(identity)}: that copy checks permissions
     * through the original, which would keep it (and the request) alive. This service checks no permissions
     * ({@code @PermissionsAllowed}), so the identity's own permissions are carried over, not its permission checkers.
     */
    public static SecurityIdentity of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()
                || !(identity.getPrincipal() instanceof JsonWebToken token) || token instanceof ConnectionPrincipal) {
            return identity;
        }
        Map<String, Object> attributes = new HashMap<>(identity.getAttributes());
        attributes.remove(ROUTING_CONTEXT);
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(ConnectionPrincipal.of(token))
                .addRoles(identity.getRoles())
                .addPermissions(identity.getPermissions())
                .addAttributes(attributes)
                .build();
    }
}
