package dev.appliancesync.fleet;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Decision;
import dev.appliancesync.access.Resource;
import dev.appliancesync.appliance.ApplianceType;

/**
 * Which appliance types a caller may search, as the policies decide. Types are a closed set, so the action is decided
 * once per type on a stand-in appliance of that type (no household, no grant: role NONE), and the permitted types go
 * into the SQL. A policy can thus give or narrow search by type ({@code resource.type == "FRIDGE"}); one naming a
 * particular appliance or household does not match the stand-in, and so never widens search.
 */
final class FleetAuthorization {

    /** The Cedar action (schema: appliesTo Appliance). */
    static final String SEARCH_FLEET = "SEARCH_FLEET";

    /** The stand-in appliance's id: no appliance has it. */
    private static final UUID STAND_IN = new UUID(0, 0);

    /** The permitted types and the decision to audit: allowed if any type is, with every deciding policy. */
    record Verdict(Set<ApplianceType> types, Decision decision) {
    }

    private FleetAuthorization() {
    }

    static Verdict decide(Authorizer.Session session) {
        Set<ApplianceType> types = EnumSet.noneOf(ApplianceType.class);
        Set<String> policies = new LinkedHashSet<>();
        for (ApplianceType type : ApplianceType.values()) {
            Decision decision = session.decide(SEARCH_FLEET, new Resource.Appliance(STAND_IN, type.name(), null),
                    List.of());
            if (decision.allowed()) {
                types.add(type);
            }
            policies.addAll(decision.policies());
        }
        return new Verdict(types, new Decision(!types.isEmpty(), new ArrayList<>(policies)));
    }
}
