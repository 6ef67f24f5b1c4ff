package dev.appliancesync.appliance;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * The facts of an appliance leaving its owner: APPLIANCE_RELEASED (no new owner) or OWNERSHIP_TRANSFERRED, and the
 * HOUSEHOLD_APPLIANCE_REMOVED it brings about. {@link #toJson()} keeps the fields' order and nulls as clients know them.
 *
 * @param reason why the owner's access ended: TRANSFERRED, REMOVED, FACTORY_RESET, ...
 */
record OwnershipFacts(UUID applianceId, String reason, UUID newOwnerId) {

    JsonObject toJson() {
        return new JsonObject().put("applianceId", applianceId.toString()).put("reason", reason)
                .put("newOwnerId", newOwnerId == null ? null : newOwnerId.toString());
    }
}
