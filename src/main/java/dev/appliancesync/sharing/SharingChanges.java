package dev.appliancesync.sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeType;
import io.vertx.core.json.JsonObject;

/** The change-log entries of shares and invitations, and who hears of them. */
final class SharingChanges {

    private SharingChanges() {
    }

    /** A share's change goes to its recipient, the owner of what was shared and whoever acted (null: nobody). */
    static List<Change> shareChanges(ChangeType type, ShareRecord share, UUID ownerId, UUID actor) {
        List<UUID> audience = new ArrayList<>(List.of(share.recipientId()));
        if (ownerId != null) {
            audience.add(ownerId);
        }
        audience.add(actor);
        return forUsers(audience, type, ShareFacts.of(share).toJson());
    }

    /** One entry per user, each once; nulls (nobody in that role) skipped. */
    static List<Change> forUsers(List<UUID> users, ChangeType type, JsonObject payload) {
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
