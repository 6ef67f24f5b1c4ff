package dev.appliancesync.identity;

import java.security.Permission;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.credential.Credential;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

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
 * Its own class rather than a {@code QuarkusSecurityIdentity}: that one holds four hash tables (roles, credentials,
 * permissions, attributes) and a list, 1.3 KiB per idle connection in a heap dump; these immutable copies hold a
 * token's one or two roles and few attributes in a fraction of it. Not {@code QuarkusSecurityIdentity.builder(identity)}
 * either: that copy checks permissions through the original, which would keep it (and the request) alive. This service
 * checks no permissions ({@code @PermissionsAllowed}); the identity's own are carried over, and a permission is granted
 * when one of them implies it, as {@code QuarkusSecurityIdentity} grants it.
 */
public final class DetachedIdentity implements SecurityIdentity {

    /** The attribute name quarkus-oidc (OidcUtils) and HttpSecurityUtils store the request under. */
    static final String ROUTING_CONTEXT = "io.vertx.ext.web.RoutingContext";

    private final ConnectionPrincipal principal;
    private final Set<String> roles;
    private final Set<Permission> permissions;
    private final Map<String, Object> attributes;

    private DetachedIdentity(ConnectionPrincipal principal, Set<String> roles, Set<Permission> permissions,
            Map<String, Object> attributes) {
        this.principal = principal;
        this.roles = roles;
        this.permissions = permissions;
        this.attributes = attributes;
    }

    /**
     * {@code identity} re-issued as above, or itself when there is nothing to detach (none, anonymous, detached
     * already, not a token's).
     */
    public static SecurityIdentity of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity instanceof DetachedIdentity
                || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return identity;
        }
        Map<String, Object> attributes = new HashMap<>();
        identity.getAttributes().forEach((name, value) -> {
            if (value != null && !ROUTING_CONTEXT.equals(name)) {
                attributes.put(name, value);
            }
        });
        return new DetachedIdentity(ConnectionPrincipal.of(token), Set.copyOf(identity.getRoles()),
                Set.copyOf(identity.getPermissions()), Map.copyOf(attributes));
    }

    @Override
    public Principal getPrincipal() {
        return principal;
    }

    @Override
    public boolean isAnonymous() {
        return false;
    }

    @Override
    public Set<String> getRoles() {
        return roles;
    }

    @Override
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    @Override
    public Set<Permission> getPermissions() {
        return permissions;
    }

    /** None: the token's text is what it leaves behind. */
    @Override
    public <T extends Credential> T getCredential(Class<T> credentialType) {
        return null;
    }

    @Override
    public Set<Credential> getCredentials() {
        return Set.of();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAttribute(String name) {
        return (T) attributes.get(name);
    }

    @Override
    public Map<String, Object> getAttributes() {
        return attributes;
    }

    @Override
    public Uni<Boolean> checkPermission(Permission permission) {
        return Uni.createFrom().item(checkPermissionBlocking(permission));
    }

    @Override
    public boolean checkPermissionBlocking(Permission permission) {
        for (Permission held : permissions) {
            if (held.implies(permission)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "DetachedIdentity[" + principal.getName() + "]";
    }
}
