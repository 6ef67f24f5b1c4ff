package dev.appliancesync.appliance.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.appliance.ApplianceRecord;
import dev.appliancesync.appliance.ApplianceType;

@Description("An appliance registered by an operator, waiting to be claimed")
public record ProvisionedAppliance(@NonNull @Id String id, @NonNull String serialNumber, @NonNull ApplianceType type,
        @NonNull String thingName) {

    static ProvisionedAppliance of(ApplianceRecord record) {
        return new ProvisionedAppliance(record.id().toString(), record.serialNumber(), record.type(), record.thingName());
    }
}
