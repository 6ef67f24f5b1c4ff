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

    /** The facts of a PREFERENCES_CHANGED entry: the whole record, so other devices need not read it back. */
    public JsonObject toChange() {
        return new JsonObject().put("applianceId", applianceId.toString()).put("version", version)
                .put("settings", settings).put("updatedAt", updatedAt.toString());
    }

    public static PreferencesRecord fromChange(JsonObject change) {
        return new PreferencesRecord(UUID.fromString(change.getString("applianceId")), change.getJsonObject("settings"),
                change.getLong("version"), OffsetDateTime.parse(change.getString("updatedAt")));
    }
}
