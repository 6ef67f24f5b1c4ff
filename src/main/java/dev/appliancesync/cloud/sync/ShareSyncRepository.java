package dev.appliancesync.cloud.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.sharing.CloudSyncStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Whether IoT Core and Cognito already reflect each share: its generation against its recipient's applied one. */
@ApplicationScoped
public class ShareSyncRepository {

    /** A share is in sync once its recipient's applied generation reaches the one that carries it. */
    private static final String STATUS = """
            select s.id,
                   case when s.cloud_sync_generation <= coalesce(c.applied_generation, 0) then 'IN_SYNC'
                        when c.status = 'FAILED' then 'FAILED' else 'PENDING' end as status
            from share s left join cloud_sync_state c on c.user_id = s.recipient_id
            where s.id = any($1)""";

    /** The status of each of these shares that exists. */
    public Uni<Map<UUID, CloudSyncStatus>> statuses(SqlClient client, List<UUID> shareIds) {
        return client.preparedQuery(STATUS).execute(Tuple.of(shareIds.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, CloudSyncStatus> byShare = new HashMap<>();
            for (Row row : rows) {
                byShare.put(row.getUUID("id"), CloudSyncStatus.valueOf(row.getString("status")));
            }
            return byShare;
        });
    }
}
