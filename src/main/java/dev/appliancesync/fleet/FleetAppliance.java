package dev.appliancesync.fleet;

import java.time.OffsetDateTime;
import java.util.UUID;

import dev.appliancesync.appliance.ApplianceType;
import io.vertx.mutiny.sqlclient.Row;

/**
 * An appliance as fleet search returns it: what identifies and locates it, not its owner's name for it nor its shadow
 * contents, which operators see only as counts.
 */
public record FleetAppliance(UUID id, String serialNumber, ApplianceType type, String thingName, String firmwareVersion,
        UUID householdId, boolean online, OffsetDateTime lastSeenAt) {

    static final String COLUMNS = """
            a.id, a.serial_number, a.appliance_type, a.thing_name, a.firmware_version, a.household_id,
            coalesce(p.online, false) as online, p.last_seen_at""";

    static FleetAppliance from(Row row) {
        return new FleetAppliance(row.getUUID("id"), row.getString("serial_number"),
                ApplianceType.valueOf(row.getString("appliance_type")), row.getString("thing_name"),
                row.getString("firmware_version"), row.getUUID("household_id"), row.getBoolean("online"),
                row.getOffsetDateTime("last_seen_at"));
    }
}
