package dev.appliancesync.cloud.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.cloud.sync.CloudAccessState;
import dev.appliancesync.sharing.CloudSyncStatus;

@Description("A user's access through AWS directly, to read only: the IoT Core policies compiled from their grants "
        + "(attached to their Cognito identity) and the Cognito principal tags the identity pool's role checks. "
        + "You see through IoT Core exactly what applianceState shows you: reported state with VIEW_STATUS "
        + "(view/things/{thingName}/status, view/households/{prefix}/status/{thingName}), desired only with "
        + "ADJUST_SETTINGS (the same with settings); apps never publish there (settings and commands go through "
        + "sendCommand)")
public record CloudAccess(
        @NonNull @Id String userId,
        @Description("The Cognito identity the service obtained for this user (openCloudSession); policies are "
                + "attached to it") String identityId,
        @NonNull CloudSyncStatus status,
        @NonNull @Description("Bumped by every change of the desired access") int desiredGeneration,
        @NonNull @Description("The last generation applied to AWS") int appliedGeneration,
        @Description("AWS's reason when status is FAILED") String lastError,
        @NonNull List<@NonNull IotPolicy> policies,
        @NonNull List<@NonNull PrincipalTag> principalTags) {

    @Description("One IoT Core policy document, exactly as sent to AWS")
    public record IotPolicy(@NonNull String name, @NonNull String document) {
    }

    @Description("A Cognito user attribute custom:<key>, mapped by the identity pool to the principal tag <key>")
    public record PrincipalTag(@NonNull String key, @NonNull String value) {
    }

    static CloudAccess of(CloudAccessState state) {
        return new CloudAccess(state.userId().toString(), state.identityId(), state.status(),
                Math.toIntExact(state.desiredGeneration()), Math.toIntExact(state.appliedGeneration()), state.lastError(),
                state.policies().stream().map(p -> new IotPolicy(p.name(), p.document())).toList(),
                state.principalTags().entrySet().stream().map(t -> new PrincipalTag(t.getKey(), t.getValue()))
                        .toList());
    }
}
