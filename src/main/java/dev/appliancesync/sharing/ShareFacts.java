package dev.appliancesync.sharing;

import java.time.OffsetDateTime;
import java.util.UUID;

import dev.appliancesync.access.Role;
import io.vertx.core.json.JsonObject;

/**
 * The facts of a SHARE_GRANTED, SHARE_UPDATED, SHARE_REVOKED or SHARE_EXPIRED entry: the share as it stands after
 * the change. {@link #toJson()} writes the fields in the order, and with the nulls, that clients have always received.
 */
record ShareFacts(UUID shareId, UUID applianceId, UUID householdId, UUID recipientId, Role role,
        OffsetDateTime expiresAt, String revokeReason) {

    static ShareFacts of(ShareRecord share) {
        return new ShareFacts(share.id(), share.applianceId(), share.householdId(), share.recipientId(), share.role(),
                share.expiresAt(), share.revokeReason());
    }

    JsonObject toJson() {
        return new JsonObject().put("shareId", shareId.toString())
                .put("applianceId", applianceId == null ? null : applianceId.toString())
                .put("householdId", householdId == null ? null : householdId.toString())
                .put("recipientId", recipientId.toString()).put("role", role.name())
                .put("expiresAt", expiresAt == null ? null : expiresAt.toString())
                .put("revokeReason", revokeReason);
    }
}
