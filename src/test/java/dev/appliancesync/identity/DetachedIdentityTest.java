package dev.appliancesync.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.quarkus.security.StringPermission;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/**
 * What a subscription connection keeps of its identity: everything the service reads of it, nothing of the request
 * or token it was verified from.
 */
class DetachedIdentityTest {

    /** A verified access token's principal, as quarkus-oidc answers it (claims beyond those the service reads). */
    private record Token(Map<String, Object> claims) implements JsonWebToken {
        @Override
        public String getName() {
            return (String) claims.get("username");
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
        public String getRawToken() {
            return "eyJ.raw.token";
        }
    }

    private final Object upgradeRequest = new Object();

    private final SecurityIdentity verified = QuarkusSecurityIdentity.builder()
            .setPrincipal(new Token(Map.of("sub", "0c6e-subject", "username", "alice", "email", " Alice@Example.COM ",
                    "email_verified", Boolean.TRUE, "exp", 1_900_000_000L, "iss", "https://issuer.example",
                    "scope", "openid", "jti", "token-id", "client_id", "app")))
            .addRoles(Set.of("installers"))
            .addCredential(new TokenCredential("eyJ.raw.token", "bearer"))
            .addPermission(new StringPermission("openid"))
            .addAttribute(DetachedIdentity.ROUTING_CONTEXT, upgradeRequest)
            .addAttribute("quarkus.identity.expire-time", 1_900_000_000L)
            .addAttribute("tenant-id", "Default")
            .build();

    @Test
    void keepsNeitherTheRequestNorTheToken() {
        SecurityIdentity detached = DetachedIdentity.of(verified);

        assertThat(detached.getAttributes()).doesNotContainKey(DetachedIdentity.ROUTING_CONTEXT)
                .doesNotContainValue(upgradeRequest);
        assertThat(detached.getCredentials()).isEmpty();
        JsonWebToken principal = (JsonWebToken) detached.getPrincipal();
        assertThat(principal.getRawToken()).isNull();
        assertThat(principal.getClaimNames()).containsExactlyInAnyOrder("sub", "username", "email",
                "email_verified", "exp", "iss");
    }

    @Test
    void keepsWhatTheServiceReads() {
        SecurityIdentity detached = DetachedIdentity.of(verified);

        assertThat(SignedInPrincipal.of(detached)).isEqualTo(SignedInPrincipal.of(verified));
        assertThat(SignedInPrincipal.of(detached).email()).isEqualTo("alice@example.com");
        assertThat(detached.getPrincipal().getName()).isEqualTo("alice");
        assertThat(((JsonWebToken) detached.getPrincipal()).getSubject()).isEqualTo("0c6e-subject");
        assertThat(detached.getRoles()).containsExactly("installers");
        assertThat(detached.hasRole("installers")).isTrue();
        assertThat(detached.hasRole("admin")).isFalse();
        assertThat(detached.isAnonymous()).isFalse();
        // Token expiry closes the connection from this attribute (Quarkus's handlers and AppSync's alike).
        assertThat(detached.<Long> getAttribute("quarkus.identity.expire-time")).isEqualTo(1_900_000_000L);
        assertThat(detached.<String> getAttribute("tenant-id")).isEqualTo("Default");
        assertThat(detached.checkPermission(new StringPermission("openid")).await().indefinitely()).isTrue();
        assertThat(detached.checkPermission(new StringPermission("admin")).await().indefinitely()).isFalse();
    }

    @Test
    void aDetachedOrAnonymousIdentityIsLeftAsItIs() {
        SecurityIdentity detached = DetachedIdentity.of(verified);
        SecurityIdentity anonymous = QuarkusSecurityIdentity.builder().setAnonymous(true).build();

        assertThat(DetachedIdentity.of(detached)).isSameAs(detached);
        assertThat(DetachedIdentity.of(anonymous)).isSameAs(anonymous);
        assertThat(DetachedIdentity.of(null)).isNull();
    }
}
