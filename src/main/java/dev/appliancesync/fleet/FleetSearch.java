package dev.appliancesync.fleet;

import java.util.List;
import java.util.Set;

import dev.appliancesync.appliance.ApplianceType;

/**
 * A fleet query authorised and checked: the types the caller may search (the policies' answer) and the query itself,
 * already known to compile. Pages, totals and counts of one request all start from it.
 */
public record FleetSearch(Set<ApplianceType> permittedTypes, FleetQuery query) {

    public FleetSearch {
        permittedTypes = Set.copyOf(permittedTypes);
    }

    String[] typeNames() {
        return permittedTypes.stream().map(ApplianceType::name).sorted().toArray(String[]::new);
    }

    List<String> typeList() {
        return List.of(typeNames());
    }
}
