package dev.appliancesync.state;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.BatchRows;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** The stored device shadows (device_state): one per appliance and shadow name, the newest version reported. */
@ApplicationScoped
public class ShadowRepository {

    /** A shadow as stored: what the device reported, and when it was stored. */
    public record Shadow(UUID applianceId, String shadowName, JsonObject reported, JsonObject desired, long version,
            OffsetDateTime reportedAt, OffsetDateTime updatedAt) {

        static Shadow from(Row row) {
            return new Shadow(row.getUUID("appliance_id"), row.getString("shadow_name"), row.getJsonObject("reported"),
                    row.getJsonObject("desired"), row.getLong("shadow_version"), row.getOffsetDateTime("reported_at"),
                    row.getOffsetDateTime("updated_at"));
        }
    }

    /** Latest-wins: a version that is not newer than the stored one changes nothing and returns no row. */
    private static final String UPSERT = """
            insert into device_state (appliance_id, shadow_name, reported, desired, shadow_version, reported_at)
            values ($1, $2, $3, $4, $5, $6)
            on conflict (appliance_id, shadow_name) do update
                set reported = excluded.reported, desired = excluded.desired,
                    shadow_version = excluded.shadow_version, reported_at = excluded.reported_at, updated_at = now()
                where device_state.shadow_version < excluded.shadow_version
            returning appliance_id, shadow_name, reported, desired, shadow_version, reported_at, updated_at""";

    /** Stores each report that is newer than its stored shadow, in one batch; the shadows it stored. */
    public Uni<List<Shadow>> storeNewer(SqlClient tx, Collection<DeviceStateService.Report> reports) {
        List<Tuple> rows = reports.stream().map(r -> Tuple.from(new Object[] { r.applianceId(), r.shadowName(),
                r.reported(), r.desired(), r.version(), r.reportedAt() })).toList();
        return tx.preparedQuery(UPSERT).executeBatch(rows)
                .map(results -> BatchRows.of(results).stream().map(Shadow::from).toList());
    }

    /** The stored shadows of these appliances. */
    public Uni<List<Shadow>> of(SqlClient client, Collection<UUID> applianceIds) {
        return client.preparedQuery("select appliance_id, shadow_name, reported, desired, shadow_version, "
                        + "reported_at, updated_at from device_state where appliance_id = any($1)")
                .execute(Tuple.of(applianceIds.toArray(UUID[]::new)))
                .map(rows -> {
                    List<Shadow> shadows = new ArrayList<>();
                    rows.forEach(row -> shadows.add(Shadow.from(row)));
                    return shadows;
                });
    }
}
