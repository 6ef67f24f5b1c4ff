package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Objects;

/** Everything one user may do through IoT Core: the input of {@link IotPolicyCompiler}. */
public record CloudGrants(String userId, List<HouseholdGrant> households, List<ApplianceGrant> appliances) {

    public CloudGrants {
        Objects.requireNonNull(userId, "userId");
        households = List.copyOf(Objects.requireNonNull(households, "households"));
        appliances = List.copyOf(Objects.requireNonNull(appliances, "appliances"));
    }
}
