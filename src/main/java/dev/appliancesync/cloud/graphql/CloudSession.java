package dev.appliancesync.cloud.graphql;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.cloud.vending.OpenedCloudSession;

@Description("What your app needs to reach IoT Core directly: call Cognito's GetCredentialsForIdentity(IdentityId: "
        + "identityId, Logins: {\"cognito-identity.amazonaws.com\": token}) in region, then connect to iotEndpoint as "
        + "client id <identityId>-<anything>. Returned at once: while cloudAccess.status is PENDING your IoT policies "
        + "are still being attached to this identity; query cloudAccess { status } until IN_SYNC")
public record CloudSession(
        @NonNull @Description("Your Cognito identity, which the service obtained for you; the same one every time")
        String identityId,
        @NonNull @Description("An OpenID token for identityId: a bearer secret, keep it to this device") String token,
        @NonNull String identityPoolId,
        @NonNull @Description("The identity pool's region, where GetCredentialsForIdentity is called") String region,
        @NonNull @Description("When token expires; open a new session then, and after your access changes (the "
                + "token carries your principal tags as they were when it was made)") OffsetDateTime expiresAt,
        @Description("The IoT Core data endpoint, when the service is configured with it") String iotEndpoint,
        @NonNull @Description("Your cloud access as recorded with this identity") CloudAccess cloudAccess) {

    static CloudSession of(OpenedCloudSession session) {
        return new CloudSession(session.token().identityId(), session.token().token(), session.login().identityPoolId(),
                session.login().region(), session.expiresAt().atOffset(ZoneOffset.UTC),
                session.iotEndpoint().orElse(null), CloudAccess.of(session.access()));
    }
}
