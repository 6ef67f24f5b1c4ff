package dev.appliancesync.realtime;

import java.time.OffsetDateTime;
import java.util.UUID;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** A change-log entry as read back: its sequence number (the cursor) and when it was written. */
public record ChangeRecord(long seq, String audience, UUID userId, UUID applianceId, UUID householdId, String type,
        JsonObject payload, OffsetDateTime at) {

    static final String COLUMNS = "seq, audience, user_id, appliance_id, household_id, type, payload, created_at";

    static ChangeRecord from(Row row) {
        return new ChangeRecord(row.getLong("seq"), row.getString("audience"), row.getUUID("user_id"),
                row.getUUID("appliance_id"), row.getUUID("household_id"), row.getString("type"),
                row.getJsonObject("payload"), row.getOffsetDateTime("created_at"));
    }

    public String cursor() {
        return Cursors.of(seq);
    }

    /** The same entry with other facts, e.g. with the fields the recipient may not view taken out. */
    public ChangeRecord withPayload(JsonObject redacted) {
        return new ChangeRecord(seq, audience, userId, applianceId, householdId, type, redacted, at);
    }
}
