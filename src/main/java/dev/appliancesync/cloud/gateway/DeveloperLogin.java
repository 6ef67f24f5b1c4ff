package dev.appliancesync.cloud.gateway;

/**
 * A user as the service vouches for them to a Cognito identity pool: the login {@code userId} under the pool's
 * developer provider name. Cognito keeps one identity per such login, so the same login always gets the same identity.
 */
public record DeveloperLogin(String identityPoolId, String developerProviderName, String userId) {

    /** The region of the pool, which is also the region of its identities ({@code <region>:<uuid>}). */
    public String region() {
        int colon = identityPoolId.indexOf(':');
        return colon < 0 ? identityPoolId : identityPoolId.substring(0, colon);
    }
}
