package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Permissions that hold for EVERY appliance of the household, present and future; {@code thingNames} are its current
 * appliances (thing names are fixed at registration and carry no household prefix, issue 15).
 */
public record HouseholdGrant(String thingPrefix, Set<CloudPermission> permissions, List<String> thingNames) {

    public HouseholdGrant {
        CloudNames.require(CloudNames.HOUSEHOLD_PREFIX, thingPrefix, "household prefix");
        permissions = Set.copyOf(Objects.requireNonNull(permissions, "permissions"));
        thingNames = List.copyOf(Objects.requireNonNull(thingNames, "thingNames"));
        for (String thing : thingNames) {
            CloudNames.require(CloudNames.THING_NAME, thing, "thing name");
        }
    }
}
