package dev.appliancesync.sharing;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import io.vertx.mutiny.sqlclient.Row;

/** A share (of an appliance or a whole household) with its recipient's and granter's names. */
public record ShareRecord(UUID id, UUID applianceId, UUID householdId, UUID recipientId, String recipientEmail,
        String recipientUsername, Role role, List<Capability> capabilities, UUID grantedBy, String grantedByUsername,
        OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime expiresAt, OffsetDateTime revokedAt,
        String revokeReason) {

    /** {@code s} is share, {@code r} its recipient, {@code g} its granter. */
    static final String COLUMNS = """
            s.id, s.appliance_id, s.household_id, s.recipient_id, r.email as recipient_email,
            r.username as recipient_username, s.role, s.capabilities, s.granted_by, g.username as granted_by_username,
            s.created_at, s.updated_at, s.expires_at, s.revoked_at, s.revoke_reason""";
    static final String FROM = from("share");

    /** {@link #FROM} over {@code shares}: the share table, or a statement's own rows of it (a CTE's RETURNING). */
    static String from(String shares) {
        return shares + " s join app_user r on r.id = s.recipient_id join app_user g on g.id = s.granted_by";
    }

    static ShareRecord from(Row row) {
        return new ShareRecord(row.getUUID("id"), row.getUUID("appliance_id"), row.getUUID("household_id"),
                row.getUUID("recipient_id"), row.getString("recipient_email"), row.getString("recipient_username"),
                Role.valueOf(row.getString("role")),
                Capability.fromNames(row.getArrayOfStrings("capabilities")),
                row.getUUID("granted_by"), row.getString("granted_by_username"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"), row.getOffsetDateTime("expires_at"),
                row.getOffsetDateTime("revoked_at"), row.getString("revoke_reason"));
    }

    public boolean active(OffsetDateTime now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
