package dev.appliancesync.appliance;

import java.time.OffsetDateTime;
import java.util.UUID;

import dev.appliancesync.access.Resource;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A row of appliance, with its household's name when it is in one. {@code thingName} is its IoT thing name, fixed when
 * it was registered: moving between households never changes it.
 */
public record ApplianceRecord(UUID id, String serialNumber, ApplianceType type, String thingName, String name,
        String firmwareVersion, UUID ownerId, UUID householdId, String householdName, OffsetDateTime claimedAt) {

    /** The columns {@link #from(Row)} reads; {@code a} is appliance, {@code h} its household (left join). */
    public static final String COLUMNS = """
            a.id, a.serial_number, a.appliance_type, a.thing_name, a.name, a.firmware_version, a.owner_id,
            a.household_id, h.name as household_name, a.claimed_at""";

    public static ApplianceRecord from(Row row) {
        return new ApplianceRecord(row.getUUID("id"), row.getString("serial_number"),
                ApplianceType.valueOf(row.getString("appliance_type")), row.getString("thing_name"),
                row.getString("name"), row.getString("firmware_version"), row.getUUID("owner_id"),
                row.getUUID("household_id"), row.getString("household_name"), row.getOffsetDateTime("claimed_at"));
    }

    public Resource.Appliance resource() {
        return new Resource.Appliance(id, type.name(), householdId);
    }
}
