package dev.appliancesync.cloud.graphql;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.sharing.CloudSyncStatus;
import dev.appliancesync.sharing.graphql.Share;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code Share.cloudSync}: read when the field is resolved, after a mutation's commit, so a share just granted shows
 * PENDING (its generation is written by the outbox at the very end of the transaction).
 */
@GraphQLApi
public class ShareCloudSyncField {

    /** A share is in sync once its recipient's applied generation reaches the one that carries it. */
    private static final String STATUS = """
            select s.id,
                   case when s.cloud_sync_generation <= coalesce(c.applied_generation, 0) then 'IN_SYNC'
                        when c.status = 'FAILED' then 'FAILED' else 'PENDING' end as status
            from share s left join cloud_sync_state c on c.user_id = s.recipient_id
            where s.id = any($1)""";

    private final Transactions db;

    public ShareCloudSyncField(Transactions db) {
        this.db = db;
    }

    @Name("cloudSync")
    @NonNull
    @Description("Whether IoT Core policies and Cognito principal tags already reflect this share (or its end); "
            + "changes arrive on shareChanges as SHARE_CLOUD_SYNC")
    public Uni<List<@NonNull CloudSyncStatus>> cloudSync(@Source List<Share> shares) {
        UUID[] ids = shares.stream().map(s -> UUID.fromString(s.id())).toArray(UUID[]::new);
        return db.reads().preparedQuery(STATUS).execute(Tuple.of(ids)).map(rows -> {
            Map<String, CloudSyncStatus> byShare = new HashMap<>();
            for (Row row : rows) {
                byShare.put(row.getUUID("id").toString(), CloudSyncStatus.valueOf(row.getString("status")));
            }
            return shares.stream().map(s -> byShare.getOrDefault(s.id(), CloudSyncStatus.PENDING)).toList();
        });
    }
}
