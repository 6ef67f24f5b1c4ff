package dev.appliancesync.state;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.BatchRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Whether devices are connected, as IoT Core's last lifecycle event of each said. */
@ApplicationScoped
public class PresenceRepository {

    /** Connected or not, and when the device was last seen connected or disconnecting. */
    public record Presence(boolean online, OffsetDateTime lastSeenAt) {
    }

    /** A device connecting ({@code online}) or disconnecting, at the event's own time. */
    public record Reported(UUID applianceId, boolean online, OffsetDateTime at) {
    }

    /**
     * Stores each event that is newer than the stored one of its appliance, in one batch; the events it stored. Events
     * arrive out of order: one older than the stored one changes nothing.
     */
    public Uni<List<Reported>> storeNewer(SqlClient tx, List<Reported> events) {
        List<Tuple> rows = events.stream().map(e -> Tuple.of(e.applianceId(), e.online(), e.at())).toList();
        return tx.preparedQuery("""
                        insert into device_presence (appliance_id, online, last_seen_at, event_at) values ($1, $2, $3, $3)
                        on conflict (appliance_id) do update
                            set online = excluded.online, event_at = excluded.event_at, updated_at = now(),
                                last_seen_at = greatest(device_presence.last_seen_at, excluded.last_seen_at)
                            where device_presence.event_at < excluded.event_at
                        returning appliance_id, online, event_at""")
                .executeBatch(rows)
                .map(results -> BatchRows.of(results).stream().map(row -> new Reported(row.getUUID("appliance_id"),
                        row.getBoolean("online"), row.getOffsetDateTime("event_at"))).toList());
    }

    /** The presence of each of these appliances that has had a lifecycle event. */
    public Uni<Map<UUID, Presence>> of(SqlClient client, Collection<UUID> applianceIds) {
        return client.preparedQuery("select appliance_id, online, last_seen_at from device_presence "
                        + "where appliance_id = any($1)")
                .execute(Tuple.of(applianceIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Presence> byAppliance = new HashMap<>();
                    for (Row row : rows) {
                        byAppliance.put(row.getUUID("appliance_id"),
                                new Presence(row.getBoolean("online"), row.getOffsetDateTime("last_seen_at")));
                    }
                    return byAppliance;
                });
    }
}
