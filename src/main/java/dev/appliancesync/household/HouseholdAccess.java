package dev.appliancesync.household;

import java.util.List;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Grant;
import dev.appliancesync.access.Resource;
import dev.appliancesync.access.Role;

/** A household with the caller's grant on it (at most one: owner, or one active membership). */
public record HouseholdAccess(HouseholdRecord household, Role role) {

    public List<Grant> grants() {
        return role == null ? List.of() : List.of(Grant.of(role));
    }

    public AccessGate.Target target() {
        return new AccessGate.Target(new Resource.Household(household.id()), grants(),
                HouseholdAction.VIEW_HOUSEHOLD.name(), "household", household.id(), null);
    }
}
