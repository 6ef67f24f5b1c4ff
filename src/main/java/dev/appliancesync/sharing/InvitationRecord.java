package dev.appliancesync.sharing;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import io.vertx.mutiny.sqlclient.Row;

/** A share waiting for someone to sign in with this verified email. */
public record InvitationRecord(UUID id, UUID applianceId, UUID householdId, String email, Role role,
        List<Capability> capabilities, UUID invitedBy, OffsetDateTime createdAt, OffsetDateTime expiresAt) {

    static InvitationRecord from(Row row) {
        return new InvitationRecord(row.getUUID("id"), row.getUUID("appliance_id"), row.getUUID("household_id"),
                row.getString("email"), Role.valueOf(row.getString("role")),
                Capability.fromNames(row.getArrayOfStrings("capabilities")),
                row.getUUID("invited_by"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("expires_at"));
    }
}
