package dev.appliancesync.realtime;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.appliancesync.access.Subject;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.household.HouseholdAccess;

/**
 * What one user holds grants on, read at one moment: the appliances and households whose changes may be delivered to
 * them (the policies still decide each delivery). Replaced, never changed, when their access changes.
 *
 * @param staleAt when the first of their shares expires; from then on this view says too much and is reloaded
 */
public record AccessView(Subject subject, Map<UUID, ApplianceAccess> appliances, Map<UUID, HouseholdAccess> households,
        Instant staleAt) {

    public AccessView {
        appliances = Map.copyOf(appliances);
        households = Map.copyOf(households);
    }

    public UUID userId() {
        return subject.userId();
    }

    public boolean isStale(Instant now) {
        return staleAt != null && !now.isBefore(staleAt);
    }

    /** Appliances held here and no longer in {@code next}. */
    public Set<UUID> appliancesLostIn(AccessView next) {
        Set<UUID> lost = new java.util.HashSet<>(appliances.keySet());
        lost.removeAll(next.appliances.keySet());
        return lost;
    }
}
