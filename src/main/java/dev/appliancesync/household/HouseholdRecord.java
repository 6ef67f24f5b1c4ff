package dev.appliancesync.household;

import java.util.UUID;

import io.vertx.mutiny.sqlclient.Row;

/** A row of household; {@code thingPrefix} names its view topics ({@code view/households/<prefix>/...}). */
public record HouseholdRecord(UUID id, String name, String thingPrefix, UUID ownerId) {

    static HouseholdRecord from(Row row) {
        return new HouseholdRecord(row.getUUID("id"), row.getString("name"), row.getString("thing_prefix"),
                row.getUUID("owner_id"));
    }
}
