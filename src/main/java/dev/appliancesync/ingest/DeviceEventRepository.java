package dev.appliancesync.ingest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.BatchRows;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** What happened on the devices (device_event): each event once per appliance and event id. */
@ApplicationScoped
class DeviceEventRepository {

    /** An event of an appliance's device, as the device told it. */
    record ApplianceEvent(UUID applianceId, String eventId, String type, JsonObject details,
            OffsetDateTime occurredAt) {
    }

    /** Stores the events not stored before, in one batch; those it stored (a redelivered event is not). */
    Uni<List<ApplianceEvent>> insertNew(SqlClient tx, List<ApplianceEvent> events) {
        List<Tuple> rows = events.stream().map(e -> Tuple.from(new Object[] { e.applianceId(), e.eventId(), e.type(),
                e.details(), e.occurredAt() })).toList();
        return tx.preparedQuery("""
                        insert into device_event (appliance_id, event_id, event_type, payload, occurred_at)
                        values ($1, $2, $3, $4, $5)
                        on conflict (appliance_id, event_id) do nothing
                        returning appliance_id, event_id, event_type, payload, occurred_at""")
                .executeBatch(rows)
                .map(results -> BatchRows.of(results).stream().map(row -> new ApplianceEvent(
                        row.getUUID("appliance_id"), row.getString("event_id"), row.getString("event_type"),
                        row.getJsonObject("payload"), row.getOffsetDateTime("occurred_at"))).toList());
    }
}
