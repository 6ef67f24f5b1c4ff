package dev.appliancesync.cloud.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.cloud.sync.CloudAccessService;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class CloudAccessApi {

    private final CurrentUser currentUser;
    private final CloudAccessService cloud;

    public CloudAccessApi(CurrentUser currentUser, CloudAccessService cloud) {
        this.currentUser = currentUser;
        this.cloud = cloud;
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

    @Mutation("linkCloudIdentity")
    @NonNull
    @Description("Link your Cognito identity pool identity (the IdentityId GetId returns) so your IoT Core policies are "
            + "attached to it; linking another one moves them (they come off the old identity)")
    public Uni<CloudAccess> linkCloudIdentity(@NonNull @Name("identityId") String identityId) {
        return currentUser.caller().flatMap(caller -> cloud.link(caller, identityId)).map(CloudAccess::of);
    }
}
