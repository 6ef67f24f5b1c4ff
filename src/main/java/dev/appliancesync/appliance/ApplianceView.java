package dev.appliancesync.appliance;

import java.util.List;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;

/** An appliance as the caller sees it: their strongest role and everything the policies let them do. */
public record ApplianceView(ApplianceRecord appliance, Role myRole, List<Capability> myCapabilities) {

    public boolean may(Capability capability) {
        return myCapabilities.contains(capability);
    }
}
