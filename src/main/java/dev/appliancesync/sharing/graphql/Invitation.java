package dev.appliancesync.sharing.graphql;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import dev.appliancesync.sharing.InvitationRecord;

@Description("A share or membership waiting for its recipient: an appliance share begins when they sign in with this "
        + "email, verified; a household membership when they accept it (acceptInvitation)")
public record Invitation(@NonNull @Id String id, @Id String applianceId, @Id String householdId, @NonNull String email,
        @NonNull Role role, List<@NonNull Capability> capabilities, @NonNull OffsetDateTime createdAt,
        @Description("When the resulting share will expire") OffsetDateTime expiresAt) {

    public static Invitation of(InvitationRecord i) {
        return new Invitation(i.id().toString(), i.applianceId() == null ? null : i.applianceId().toString(),
                i.householdId() == null ? null : i.householdId().toString(), i.email(), i.role(), i.capabilities(),
                i.createdAt(), i.expiresAt());
    }
}
