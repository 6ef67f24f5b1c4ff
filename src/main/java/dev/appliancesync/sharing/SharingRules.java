package dev.appliancesync.sharing;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import dev.appliancesync.access.Role;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;

/** Limits and checks shared by shares, invitations and household memberships. */
final class SharingRules {

    /** Active shares (and, separately, pending invitations) per appliance or household. */
    static final int MAX_PER_TARGET = 50;
    private static final String MEMBER_ROLE = "memberRole";
    private static final String MEMBER_CURRENT_ROLE = "memberCurrentRole";

    private SharingRules() {
    }

    /** What the policies see of a membership change: the role granted or taken away, and the one held now. */
    static Map<String, String> memberFacts(Role role, Role current) {
        return current == null ? Map.of(MEMBER_ROLE, role.name())
                : Map.of(MEMBER_ROLE, role.name(), MEMBER_CURRENT_ROLE, current.name());
    }

    static void requireRole(Role role, Set<Role> allowed, String message) {
        if (role == null || !allowed.contains(role)) {
            throw ApiException.validation(message);
        }
    }

    static void requireFuture(OffsetDateTime expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            throw ApiException.validation("expiresAt must be in the future");
        }
    }

    static ApiException quota(String limit) {
        return new ApiException(ErrorCode.QUOTA_EXCEEDED, "At most " + MAX_PER_TARGET + " " + limit.replace('-', ' '),
                Map.of("limit", limit, "max", MAX_PER_TARGET));
    }
}
