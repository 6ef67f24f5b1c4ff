package dev.appliancesync.identity.dev;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Mints access tokens shaped like Amazon Cognito's (sub, username, token_use=access, client_id, cognito:groups,
 * scope, auth_time, jti), plus email and email_verified as a pre-token-generation trigger adds them in production.
 * They are validated by quarkus-oidc like any Cognito token. Built into dev and test only.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class DevTokenIssuer {

    private final DevIssuerConfig config;
    private final String clientId;
    private volatile DevSigningKey key;

    public DevTokenIssuer(DevIssuerConfig config,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.oidc.client-id") String clientId) {
        this.config = config;
        this.clientId = clientId;
    }

    public String mint(DevTokenRequest request) {
        DevTokenRequest valid = request.validated();
        Duration lifetime = valid.expiresInSeconds() == null ? config.defaultLifetime()
                : Duration.ofSeconds(valid.expiresInSeconds());
        if (lifetime.compareTo(config.maxLifetime()) > 0) {
            throw ApiException.validation("expiresInSeconds may be at most " + config.maxLifetime().toSeconds());
        }
        Instant now = Instant.now();
        JwtClaimsBuilder claims = cognitoAccessToken(valid.username(), now, now.plus(lifetime));
        if (valid.email() != null) {
            claims.claim("email", valid.email()).claim("email_verified", true);
        }
        if (valid.groups() != null && !valid.groups().isEmpty()) {
            claims.claim("cognito:groups", List.copyOf(valid.groups()));
        }
        return sign(claims);
    }

    /** The claims of a Cognito access token for that user; tests change them to build invalid tokens. */
    public JwtClaimsBuilder cognitoAccessToken(String username, Instant issuedAt, Instant expiresAt) {
        return Jwt.claims()
                .issuer(issuer())
                .subject(subjectOf(username))
                .claim("username", username)
                .claim("token_use", "access")
                .claim("client_id", clientId)
                .claim("scope", "aws.cognito.signin.user.admin")
                .claim("auth_time", issuedAt.getEpochSecond())
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(issuedAt)
                .expiresAt(expiresAt);
    }

    public String sign(JwtClaimsBuilder claims) {
        DevSigningKey signingKey = signingKey();
        return claims.jws().algorithm(SignatureAlgorithm.RS256).keyId(signingKey.keyId())
                .sign(signingKey.privateKey());
    }

    /** Cognito subjects are UUIDs; the same username always gets the same one, so dev data stays attached. */
    public static String subjectOf(String username) {
        return UUID.nameUUIDFromBytes(("appliance-sync-dev:" + username).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private String issuer() {
        return config.issuer().orElseThrow(DevTokenIssuer::notRunning);
    }

    private DevSigningKey signingKey() {
        DevSigningKey current = key;
        if (current == null) {
            current = DevSigningKey.loadOrCreate(config.keyFile().orElseThrow(DevTokenIssuer::notRunning));
            key = current;
        }
        return current;
    }

    private static ApiException notRunning() {
        return new ApiException(ErrorCode.NOT_FOUND,
                "The local token issuer is not running: quarkus.oidc.auth-server-url points to a real issuer");
    }
}
