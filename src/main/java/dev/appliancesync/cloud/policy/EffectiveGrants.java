package dev.appliancesync.cloud.policy;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A user's grants in canonical form: one entry per household prefix and per thing (duplicates merged), sorted, empty
 * ones gone. Everything the compiler emits derives from this, which is why input order cannot change the output. A
 * thing's grant and its household's grant open different topics ({@code view/things/T/...} and
 * {@code view/households/P/.../T}), so neither is subtracted from the other.
 */
record EffectiveGrants(SortedMap<String, Set<CloudPermission>> households,
        SortedMap<String, Set<CloudPermission>> things) {

    static EffectiveGrants of(CloudGrants grants) {
        return new EffectiveGrants(merge(grants.households(), HouseholdGrant::thingPrefix, HouseholdGrant::permissions),
                merge(grants.appliances(), ApplianceGrant::thingName, ApplianceGrant::permissions));
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
