package dev.appliancesync.sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.appliancesync.realtime.Change;
import io.vertx.core.json.JsonObject;

/** The change-log entries of shares and invitations, and who hears of them. */
final class SharingChanges {

    private SharingChanges() {
    }

    /** A share's change goes to its recipient, the owner of what was shared and whoever acted (null: nobody). */
    static List<Change> shareChanges(String type, ShareRecord share, UUID ownerId, UUID actor) {
        JsonObject payload = new JsonObject().put("shareId", share.id().toString())
                .put("applianceId", share.applianceId() == null ? null : share.applianceId().toString())
                .put("householdId", share.householdId() == null ? null : share.householdId().toString())
                .put("recipientId", share.recipientId().toString()).put("role", share.role().name())
                .put("expiresAt", share.expiresAt() == null ? null : share.expiresAt().toString())
                .put("revokeReason", share.revokeReason());
        List<UUID> audience = new ArrayList<>(List.of(share.recipientId()));
        if (ownerId != null) {
            audience.add(ownerId);
        }
        audience.add(actor);
        return forUsers(audience, type, payload);
    }

    /** One entry per user, each once; nulls (nobody in that role) skipped. */
    static List<Change> forUsers(List<UUID> users, String type, JsonObject payload) {
        return users.stream().filter(java.util.Objects::nonNull).distinct()
                .map(user -> Change.forUser(user, type, payload)).toList();
    }

    static JsonObject invitationPayload(InvitationRecord invitation) {
        return new JsonObject().put("invitationId", invitation.id().toString())
                .put("applianceId", invitation.applianceId() == null ? null : invitation.applianceId().toString())
                .put("householdId", invitation.householdId() == null ? null : invitation.householdId().toString())
                .put("email", invitation.email()).put("role", invitation.role().name());
    }
}
