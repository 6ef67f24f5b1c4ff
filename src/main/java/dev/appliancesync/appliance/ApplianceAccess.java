package dev.appliancesync.appliance;

import java.util.List;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Grant;
import dev.appliancesync.access.Role;

/** An appliance together with every grant the caller holds on it (empty: none). */
public record ApplianceAccess(ApplianceRecord appliance, List<Grant> grants) {

    /** The caller's strongest role, for display; what they may do is decided per action by the policies. */
    public Role strongestRole() {
        Role best = null;
        for (Grant grant : grants) {
            if (best == null || grant.role().outranks(best)) {
                best = grant.role();
            }
        }
        return best;
    }

    /** What {@link AccessGate} checks: the appliance, the caller's grants, and VIEW_STATUS as what makes it visible. */
    public AccessGate.Target target() {
        return new AccessGate.Target(appliance.resource(), grants, Capability.VIEW_STATUS.name(), "appliance",
                appliance.id(), appliance.id());
    }
}
