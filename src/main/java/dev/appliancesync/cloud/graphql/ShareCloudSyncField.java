package dev.appliancesync.cloud.graphql;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.cloud.sync.CloudAccessService;
import dev.appliancesync.sharing.CloudSyncStatus;
import dev.appliancesync.sharing.graphql.Share;
import io.smallrye.mutiny.Uni;

/**
 * {@code Share.cloudSync}: read when the field is resolved, after a mutation's commit, so a share just granted shows
 * PENDING (its generation is written by the outbox at the very end of the transaction).
 */
@GraphQLApi
public class ShareCloudSyncField {

    private final CloudAccessService cloudAccess;

    public ShareCloudSyncField(CloudAccessService cloudAccess) {
        this.cloudAccess = cloudAccess;
    }

    @Name("cloudSync")
    @NonNull
    @Description("Whether IoT Core policies and Cognito principal tags already reflect this share (or its end); "
            + "changes arrive on shareChanges as SHARE_CLOUD_SYNC")
    public Uni<List<@NonNull CloudSyncStatus>> cloudSync(@Source List<Share> shares) {
        List<UUID> ids = shares.stream().map(s -> UUID.fromString(s.id())).toList();
        return cloudAccess.syncOfShares(ids).map(byShare -> shares.stream()
                .map(s -> byShare.getOrDefault(UUID.fromString(s.id()), CloudSyncStatus.PENDING)).toList());
    }
}
