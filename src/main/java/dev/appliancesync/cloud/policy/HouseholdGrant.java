package dev.appliancesync.cloud.policy;

import java.util.Objects;
import java.util.Set;

/**
 * Permissions that hold for EVERY appliance of the household with this thing prefix, present and future: they reach
 * the appliances through the household's view topics ({@code view/households/<prefix>/...}), never through thing
 * names (those are the factory names and never change).
 */
public record HouseholdGrant(String thingPrefix, Set<CloudPermission> permissions) {

    public HouseholdGrant {
        CloudNames.require(CloudNames.HOUSEHOLD_PREFIX, thingPrefix, "household prefix");
        permissions = Set.copyOf(Objects.requireNonNull(permissions, "permissions"));
    }
}
