package dev.appliancesync.command;

import java.time.OffsetDateTime;
import java.util.UUID;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** A command sent to a device and what became of it. */
public record CommandRecord(UUID id, UUID applianceId, UUID issuedBy, String command, JsonObject params, String status,
        JsonObject result, String error, OffsetDateTime createdAt, OffsetDateTime sentAt, OffsetDateTime completedAt,
        OffsetDateTime expiresAt) {

    static CommandRecord from(Row row) {
        return new CommandRecord(row.getUUID("id"), row.getUUID("appliance_id"), row.getUUID("issued_by"),
                row.getString("command"), (JsonObject) row.getValue("params"), row.getString("status"),
                (JsonObject) row.getValue("result"), row.getString("error"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("sent_at"), row.getOffsetDateTime("completed_at"),
                row.getOffsetDateTime("expires_at"));
    }
}
