package dev.appliancesync.appliance;

import java.util.List;

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
}
