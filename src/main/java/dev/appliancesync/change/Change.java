package dev.appliancesync.change;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * One entry of the change log: who may see it (one user, or whoever may view an appliance or a household when it is
 * delivered), what happened, and the facts a client needs.
 */
public record Change(String audience, UUID userId, UUID applianceId, UUID householdId, String type, JsonObject payload) {

    public static Change forUser(UUID userId, String type, JsonObject payload) {
        return new Change("USER", userId, null, null, type, payload);
    }

    /** A change of the appliance itself, for everyone who may view it; {@code userId} names who it concerns, if anyone. */
    public static Change forAppliance(UUID applianceId, String type, JsonObject payload) {
        return new Change("APPLIANCE", null, applianceId, null, type, payload);
    }

    public static Change forHousehold(UUID householdId, String type, JsonObject payload) {
        return new Change("HOUSEHOLD", null, null, householdId, type, payload);
    }
}
