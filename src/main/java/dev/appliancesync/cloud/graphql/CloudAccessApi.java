package dev.appliancesync.cloud.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.cloud.sync.CloudAccessService;
import dev.appliancesync.cloud.vending.CloudSessionService;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class CloudAccessApi {

    private final CurrentUser currentUser;
    private final CloudAccessService cloud;
    private final CloudSessionService sessions;

    public CloudAccessApi(CurrentUser currentUser, CloudAccessService cloud, CloudSessionService sessions) {
        this.currentUser = currentUser;
        this.cloud = cloud;
        this.sessions = sessions;
    }

    @Query("cloudAccess")
    @NonNull
    @Description("Your IoT Core policies and principal tags as compiled from your grants; operators may name any user")
    public Uni<CloudAccess> cloudAccess(@Id @Name("userId") String userId) {
        return currentUser.caller()
                .flatMap(caller -> cloud.state(caller, userId == null ? null : Ids.parse(userId, "user")))
                .map(CloudAccess::of);
    }

    @Query("explainAccess")
    @NonNull
    @Description("Operators: would AWS let this user do action (iot:Connect, iot:Publish, iot:Subscribe, iot:Receive, "
            + "iot:RetainPublish) on resource (an IoT ARN: ...:client/<id>, ...:topic/<topic>, ...:topicfilter/<filter>)? "
            + "Evaluated in-process on the user's compiled policies and the identity pool role with their principal tags")
    public Uni<AccessExplanation> explainAccess(@NonNull @Id @Name("userId") String userId,
            @NonNull @Name("action") String action, @NonNull @Name("resource") String resource) {
        return currentUser.caller()
                .flatMap(caller -> cloud.explain(caller, Ids.parse(userId, "user"), action, resource))
                .map(AccessExplanation::of);
    }

    @Mutation("openCloudSession")
    @NonNull
    @Description("Your Cognito identity (obtained by the service for you, the same one every time) and a fresh OpenID "
            + "token to trade for AWS credentials with GetCredentialsForIdentity. Takes no identity: no one can claim "
            + "another user's. Returns at once; your IoT policies may still be being attached (cloudAccess.status "
            + "PENDING). Errors: CLOUD_REFUSED (AWS refused, e.g. a misconfigured identity pool), CLOUD_UNAVAILABLE "
            + "(AWS throttled or failed after retries: try again later)")
    public Uni<CloudSession> openCloudSession() {
        return currentUser.caller().flatMap(sessions::open).map(CloudSession::of);
    }
}
