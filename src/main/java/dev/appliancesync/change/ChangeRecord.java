package dev.appliancesync.change;

import java.time.OffsetDateTime;
import java.util.UUID;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** A change-log entry as read back: its position (the cursor) and when it was written. */
public record ChangeRecord(Cursors.Position position, Audience audience, UUID userId, UUID applianceId,
        UUID householdId, ChangeType type, JsonObject payload, OffsetDateTime at) {

    static final String COLUMNS = "tx_id::text::bigint as tx_id, seq, audience, user_id, appliance_id, household_id, "
            + "type, payload, created_at";

    static ChangeRecord from(Row row) {
        return new ChangeRecord(new Cursors.Position(row.getLong("tx_id"), row.getLong("seq")),
                Audience.valueOf(row.getString("audience")), row.getUUID("user_id"), row.getUUID("appliance_id"),
                row.getUUID("household_id"), ChangeType.fromStored(row.getString("type")),
                row.getJsonObject("payload"), row.getOffsetDateTime("created_at"));
    }

    public String cursor() {
        return Cursors.of(position);
    }

    /** The same entry with other facts, e.g. with the fields the recipient may not view taken out. */
    public ChangeRecord withPayload(JsonObject redacted) {
        return new ChangeRecord(position, audience, userId, applianceId, householdId, type, redacted, at);
    }
}
