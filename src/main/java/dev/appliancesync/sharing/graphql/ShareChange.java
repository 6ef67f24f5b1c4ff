package dev.appliancesync.sharing.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.access.Role;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.common.graphql.Json;
import dev.appliancesync.sharing.CloudSyncStatus;
import io.vertx.core.json.JsonObject;

@Description("A change to sharing that concerns you, as owner, recipient or the person who made it")
public record ShareChange(
        @NonNull @Description("The change's cursor, as in `changes`") String cursor,
        @NonNull ShareChangeType type,
        @NonNull OffsetDateTime at,
        @Id String shareId,
        @Id String invitationId,
        @Id String applianceId,
        @Id String householdId,
        @Id @Description("Who the share is for") String recipientId,
        Role role,
        OffsetDateTime expiresAt,
        @Description("Why access ended: REVOKED, LEFT, TRANSFERRED, REMOVED, FACTORY_RESET, EXPIRED; for SHARE_CLOUD_SYNC FAILED, AWS's reason") String reason,
        @Description("For SHARE_CLOUD_SYNC: where the cloud's gates stand") CloudSyncStatus cloudSync,
        @NonNull @Description("Every fact of the change") Json data) {

    public static ShareChange of(ChangeRecord change) {
        JsonObject facts = change.payload();
        String role = facts.getString("role");
        String expiresAt = facts.getString("expiresAt");
        String cloudSync = facts.getString("cloudSync");
        ShareChangeType type = ShareChangeType.of(change.type());
        String reason = type == ShareChangeType.SHARE_EXPIRED ? "EXPIRED"
                : facts.getString("revokeReason", facts.getString("reason"));
        return new ShareChange(change.cursor(), type, change.at(),
                facts.getString("shareId"), facts.getString("invitationId"), facts.getString("applianceId"),
                facts.getString("householdId"), facts.getString("recipientId"),
                role == null ? null : Role.valueOf(role), expiresAt == null ? null : OffsetDateTime.parse(expiresAt),
                reason, cloudSync == null ? null : CloudSyncStatus.valueOf(cloudSync), Json.of(facts));
    }
}
