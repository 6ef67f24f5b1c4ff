package dev.appliancesync.cloud.gateway;

/**
 * GetOpenIdTokenForDeveloperIdentity's answer: the login's identity and an OpenID token for it, which the app trades for
 * AWS credentials with GetCredentialsForIdentity (Logins {@code cognito-identity.amazonaws.com}: token).
 */
public record OpenIdToken(String identityId, String token) {

    @Override
    public String toString() {
        // The token is a bearer credential: never in a log line.
        return "OpenIdToken[identityId=" + identityId + ", token=<" + token.length() + " characters>]";
    }
}
