package dev.appliancesync.household;

import java.util.UUID;

import io.vertx.mutiny.sqlclient.Row;

/** A row of household. */
public record HouseholdRecord(UUID id, String name, String thingPrefix, UUID ownerId) {

    static HouseholdRecord from(Row row) {
        return new HouseholdRecord(row.getUUID("id"), row.getString("name"), row.getString("thing_prefix"),
                row.getUUID("owner_id"));
    }

    /** The thing name of an appliance in this household: its prefix, '-', the appliance's factory thing name. */
    public String thingNameFor(String factoryThingName) {
        return thingPrefix + "-" + factoryThingName;
    }
}
