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
 * <p>
 * The rows depend on the user alone; {@code subject} adds the groups of one of their tokens for the policies, and
 * {@link #as} puts the same rows under another token's groups.
 *
 * @param staleAt when the first of their shares expires; from then on this view says too much and is reloaded
 */
public record AccessView(Subject subject, Map<UUID, ApplianceAccess> appliances, Map<UUID, HouseholdAccess> households,
        Instant staleAt) {

    public AccessView {
        appliances = Map.copyOf(appliances);
        households = Map.copyOf(households);
    }

    /**
     * The same grants, decided for another token of the same user (other groups). The grants are rows of the user,
     * whatever their token says; the groups only reach the policies. Shares the maps: costs one small object.
     */
    public AccessView as(Subject token) {
        if (!token.userId().equals(subject.userId())) {
            throw new IllegalArgumentException("An access view is one user's: " + subject.userId());
        }
        return token.equals(subject) ? this : new AccessView(token, appliances, households, staleAt);
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
