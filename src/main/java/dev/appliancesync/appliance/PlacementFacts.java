package dev.appliancesync.appliance;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * The facts of an appliance moving into a household, out of one, or between two: APPLIANCE_HOUSEHOLD_CHANGED and the
 * HOUSEHOLD_APPLIANCE_ADDED / HOUSEHOLD_APPLIANCE_REMOVED of the households concerned.
 *
 * @param householdId where it is now; null when it left its household
 */
record PlacementFacts(UUID applianceId, UUID householdId) {

    JsonObject toJson() {
        return new JsonObject().put("applianceId", applianceId.toString())
                .put("householdId", householdId == null ? null : householdId.toString());
    }
}
