package dev.appliancesync.change;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * One entry of the change log: who may see it (one user, or whoever may view an appliance or a household when it is
 * delivered), what happened, and the facts a client needs.
 */
public record Change(Audience audience, UUID userId, UUID applianceId, UUID householdId, ChangeType type,
        JsonObject payload) {

    public Change {
        if (type == ChangeType.UNKNOWN) {
            throw new IllegalArgumentException("UNKNOWN is what an unknown stored kind is read as; it is never written");
        }
        if (!type.audiences().contains(audience)) {
            throw new IllegalArgumentException(type + " is written for " + type.audiences() + ", not for " + audience);
        }
    }

    public static Change forUser(UUID userId, ChangeType type, JsonObject payload) {
        return new Change(Audience.USER, userId, null, null, type, payload);
    }

    /** A change of the appliance itself, for everyone who may view it; {@code userId} names who it concerns, if anyone. */
    public static Change forAppliance(UUID applianceId, ChangeType type, JsonObject payload) {
        return new Change(Audience.APPLIANCE, null, applianceId, null, type, payload);
    }

    public static Change forHousehold(UUID householdId, ChangeType type, JsonObject payload) {
        return new Change(Audience.HOUSEHOLD, null, null, householdId, type, payload);
    }
}
