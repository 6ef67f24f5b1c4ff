package dev.appliancesync.appliance.graphql;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import dev.appliancesync.appliance.ApplianceRecord;
import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.appliance.ApplianceView;

@Description("An appliance the signed-in user may view")
public record Appliance(
        @NonNull @Id String id,
        @NonNull String serialNumber,
        @NonNull ApplianceType type,
        @Description("The owner's name for it") String name,
        @NonNull @Description("Its AWS IoT thing name, fixed when it was registered (default its serial number); "
                + "never changes, in or out of a household") String thingName,
        @Description("The household it belongs to, if any") HouseholdRef household,
        @NonNull @Description("The caller's strongest role on it") Role myRole,
        @NonNull @Description("Everything the caller may do with it, as the policies decide now")
        List<@NonNull Capability> myCapabilities,
        String firmwareVersion,
        OffsetDateTime claimedAt) {

    @Description("The household an appliance belongs to")
    public record HouseholdRef(@NonNull @Id String id, @NonNull String name) {
    }

    public static Appliance of(ApplianceView view) {
        ApplianceRecord a = view.appliance();
        return new Appliance(a.id().toString(), a.serialNumber(), a.type(), a.name(), a.thingName(),
                a.householdId() == null ? null : new HouseholdRef(a.householdId().toString(), a.householdName()),
                view.myRole(), view.myCapabilities(), a.firmwareVersion(), a.claimedAt());
    }

    public boolean may(Capability capability) {
        return myCapabilities.contains(capability);
    }
}
