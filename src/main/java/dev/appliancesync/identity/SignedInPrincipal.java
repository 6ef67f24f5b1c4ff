package dev.appliancesync.identity;

import java.util.Locale;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;

/** What a validated access token says about its holder; the token itself was checked by quarkus-oidc. */
public record SignedInPrincipal(String subject, String username, String email, boolean emailVerified,
        Set<String> groups) {

    public static SignedInPrincipal of(SecurityIdentity identity) {
        JsonWebToken token = (JsonWebToken) identity.getPrincipal();
        String email = token.getClaim("email");
        Object verified = token.getClaim("email_verified");
        String username = token.getClaim("username");
        return new SignedInPrincipal(
                token.getSubject(),
                username != null ? username : token.getName(),
                email == null ? null : email.trim().toLowerCase(Locale.ROOT),
                email != null && verified != null && Boolean.parseBoolean(verified.toString()),
                Set.copyOf(identity.getRoles()));
    }

    public boolean isInGroup(String group) {
        return groups.contains(group);
    }
}
