package dev.appliancesync.identity;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * What a long-lived connection keeps of its access token: the claims this service reads ({@link #KEPT}, see
 * {@link SignedInPrincipal#of} and {@code ApiCallers}), with the values the verified token gave, and its name. The
 * verified token's own principal keeps the whole parsed token (every claim, in a map, and its JSON text), about 2.4 KiB
 * that every idle subscription connection would hold; the raw token is not kept either. A resolver that needs another
 * claim must add it to {@link #KEPT}, or it reads null on a subscription connection.
 */
public final class ConnectionPrincipal implements JsonWebToken {

    /** The claims kept: those the service reads, and the expiry and issuer, which say what the token was. */
    static final Set<String> KEPT = Set.of(Claims.sub.name(), Claims.iss.name(), Claims.exp.name(), "username",
            "email", "email_verified");

    private final String name;
    private final Map<String, Object> claims;

    private ConnectionPrincipal(String name, Map<String, Object> claims) {
        this.name = name;
        this.claims = claims;
    }

    /** The kept claims of {@code token}, as it answers them. */
    static ConnectionPrincipal of(JsonWebToken token) {
        Map<String, Object> kept = new HashMap<>();
        for (String claim : KEPT) {
            Object value = token.getClaim(claim);
            if (value != null) {
                kept.put(claim, value);
            }
        }
        return new ConnectionPrincipal(token.getName(), Map.copyOf(kept));
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Set<String> getClaimNames() {
        return claims.keySet();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        return (T) claims.get(claimName);
    }

    @Override
    public String toString() {
        return "ConnectionPrincipal[" + name + "]";
    }
}
