package dev.appliancesync.preference;

import java.time.OffsetDateTime;
import java.util.UUID;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/** One user's personal settings for one appliance, versioned for optimistic concurrency. */
public record PreferencesRecord(UUID applianceId, JsonObject settings, long version, OffsetDateTime updatedAt) {

    static PreferencesRecord from(Row row) {
        return new PreferencesRecord(row.getUUID("appliance_id"), (JsonObject) row.getValue("settings"),
                row.getLong("version"), row.getOffsetDateTime("updated_at"));
    }
}
