package dev.appliancesync.fleet.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.fleet.FleetAppliance;

@Name("FleetAppliance")
@Description("An appliance found by fleet search: what identifies and locates it (not its owner's name for it, nor its "
        + "shadow contents)")
public record FleetApplianceNode(
        @NonNull @Id String id,
        @NonNull String serialNumber,
        @NonNull ApplianceType type,
        @NonNull String thingName,
        String firmwareVersion,
        @Id @Description("Its household, if any") String householdId,
        @NonNull @Description("Connected now, as its last lifecycle event said (false if never seen)") boolean online,
        @Description("When it was last seen connected or disconnecting") OffsetDateTime lastSeenAt) {

    static FleetApplianceNode of(FleetAppliance a) {
        return new FleetApplianceNode(a.id().toString(), a.serialNumber(), a.type(), a.thingName(), a.firmwareVersion(),
                a.householdId() == null ? null : a.householdId().toString(), a.online(), a.lastSeenAt());
    }
}
