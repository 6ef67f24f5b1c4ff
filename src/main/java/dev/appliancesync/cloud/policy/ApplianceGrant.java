package dev.appliancesync.cloud.policy;

import java.util.Objects;
import java.util.Set;

/** Permissions a user holds on one appliance, whatever the share it comes from. */
public record ApplianceGrant(String thingName, Set<CloudPermission> permissions) {

    public ApplianceGrant {
        CloudNames.require(CloudNames.THING_NAME, thingName, "thing name");
        permissions = Set.copyOf(Objects.requireNonNull(permissions, "permissions"));
    }
}
