package dev.appliancesync.sharing.graphql;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import dev.appliancesync.identity.graphql.Person;
import dev.appliancesync.sharing.ShareRecord;

@Description("A grant of a role on one appliance, or a household membership")
public record Share(
        @NonNull @Id String id,
        @Id @Description("The shared appliance (null for a household membership)") String applianceId,
        @Id @Description("The household (null for an appliance share)") String householdId,
        @NonNull Person recipient,
        @NonNull Role role,
        @Description("The explicit capability set, if the share narrows its role; null means the role's own")
        List<@NonNull Capability> capabilities,
        @NonNull Person grantedBy,
        @NonNull OffsetDateTime createdAt,
        @NonNull OffsetDateTime updatedAt,
        OffsetDateTime expiresAt,
        OffsetDateTime revokedAt,
        @Description("REVOKED, LEFT, TRANSFERRED, FACTORY_RESET or REMOVED") String revokeReason,
        @NonNull ShareStatus status) {

    public enum ShareStatus {
        ACTIVE,
        EXPIRED,
        REVOKED
    }

    /** The same share with the people's names only, for those who may not see members' emails. */
    public Share withoutEmails() {
        return new Share(id, applianceId, householdId, new Person(recipient.id(), recipient.username(), null), role,
                capabilities, new Person(grantedBy.id(), grantedBy.username(), null), createdAt, updatedAt, expiresAt,
                revokedAt, revokeReason, status);
    }

    public static Share of(ShareRecord s) {
        ShareStatus status = s.revokedAt() != null ? ShareStatus.REVOKED
                : s.active(OffsetDateTime.now()) ? ShareStatus.ACTIVE : ShareStatus.EXPIRED;
        return new Share(s.id().toString(), s.applianceId() == null ? null : s.applianceId().toString(),
                s.householdId() == null ? null : s.householdId().toString(),
                new Person(s.recipientId().toString(), s.recipientUsername(), s.recipientEmail()), s.role(),
                s.capabilities(), new Person(s.grantedBy().toString(), s.grantedByUsername(), null), s.createdAt(),
                s.updatedAt(), s.expiresAt(), s.revokedAt(), s.revokeReason(), status);
    }
}
