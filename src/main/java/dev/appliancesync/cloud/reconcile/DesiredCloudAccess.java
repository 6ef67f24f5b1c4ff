package dev.appliancesync.cloud.reconcile;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one user's cloud gates should be.
 *
 * @param target the Cognito identity id the policies are attached to
 * @param username the user pool username whose attributes (principal tags) are set
 * @param policies every policy that should be attached, each named with {@code ourPrefix}
 * @param attributes attributes to set; attributes not named here are left as they are
 * @param ourPrefix the names this service owns for this user: attached policies with it that are not desired are
 *        detached and deleted; policies without it are never touched
 * @param formerPolicies names this user may still have but no longer attached, such as the last applied set: a
 *        policy detached before a crash, or one IoT Core would not delete yet, is found only this way and is deleted
 *        when not desired
 */
public record DesiredCloudAccess(String target, String username, List<DesiredPolicy> policies,
        Map<String, String> attributes, String ourPrefix, Set<String> formerPolicies) {

    public DesiredCloudAccess {
        if (ourPrefix == null || ourPrefix.isBlank()) {
            throw new IllegalArgumentException("A prefix is needed to tell our policies from others'");
        }
        policies = List.copyOf(policies);
        attributes = Map.copyOf(attributes);
        formerPolicies = Set.copyOf(formerPolicies);
        Set<String> names = new HashSet<>();
        for (DesiredPolicy policy : policies) {
            requireOurs(policy.name(), ourPrefix);
            if (!names.add(policy.name())) {
                throw new IllegalArgumentException("Policy " + policy.name() + " is desired twice");
            }
        }
        formerPolicies.forEach(name -> requireOurs(name, ourPrefix));
    }

    /** With no former policies to look for. */
    public DesiredCloudAccess(String target, String username, List<DesiredPolicy> policies,
            Map<String, String> attributes, String ourPrefix) {
        this(target, username, policies, attributes, ourPrefix, Set.of());
    }

    public Set<String> policyNames() {
        return policies.stream().map(DesiredPolicy::name).collect(Collectors.toSet());
    }

    public boolean isOurs(String policyName) {
        return policyName.startsWith(ourPrefix);
    }

    private static void requireOurs(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException("Policy " + name + " does not start with our prefix " + prefix);
        }
    }
}
