package dev.appliancesync.state;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

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
