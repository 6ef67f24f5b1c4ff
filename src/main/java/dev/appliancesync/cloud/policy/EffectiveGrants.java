package dev.appliancesync.cloud.policy;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A user's grants in canonical form: one entry per household and per thing (duplicates merged), sorted, empty ones
 * gone, and from each thing the permissions its household grant already gives. Everything the compiler emits derives
 * from this, which is why input order cannot change the output.
 */
record EffectiveGrants(SortedMap<String, Set<CloudPermission>> households,
        SortedMap<String, Set<CloudPermission>> things) {

    static EffectiveGrants of(CloudGrants grants) {
        SortedMap<String, Set<CloudPermission>> households = merge(grants.households(), HouseholdGrant::thingPrefix,
                HouseholdGrant::permissions);
        SortedMap<String, Set<CloudPermission>> things = merge(grants.appliances(), ApplianceGrant::thingName,
                ApplianceGrant::permissions);
        things.forEach((thing, permissions) -> {
            String prefix = CloudNames.householdPrefixOf(thing);
            if (prefix != null && households.containsKey(prefix)) {
                permissions.removeAll(households.get(prefix));
            }
        });
        things.values().removeIf(Set::isEmpty);
        return new EffectiveGrants(households, things);
    }

    private static <G> SortedMap<String, Set<CloudPermission>> merge(Collection<G> grants, Function<G, String> name,
            Function<G, Set<CloudPermission>> permissions) {
        SortedMap<String, Set<CloudPermission>> merged = new TreeMap<>();
        for (G grant : grants) {
            merged.computeIfAbsent(name.apply(grant), key -> EnumSet.noneOf(CloudPermission.class))
                    .addAll(permissions.apply(grant));
        }
        merged.values().removeIf(Set::isEmpty);
        return merged;
    }

    boolean isEmpty() {
        return households.isEmpty() && things.isEmpty();
    }

    boolean anywhere(CloudPermission permission) {
        return households.values().stream().anyMatch(set -> set.contains(permission))
                || things.values().stream().anyMatch(set -> set.contains(permission));
    }
}
