package dev.appliancesync.appliance;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * The facts of the SHARE_REVOKED a recipient receives when the appliance leaves its owner. Fewer than sharing's own
 * SHARE_REVOKED (no role or recipient), and the reason is {@code reason}, not {@code revokeReason}: clients read
 * either, so both shapes stay as they are.
 */
record EndedShareFacts(UUID shareId, UUID applianceId, String reason) {

    JsonObject toJson() {
        return new JsonObject().put("shareId", shareId.toString()).put("applianceId", applianceId.toString())
                .put("reason", reason);
    }
}
