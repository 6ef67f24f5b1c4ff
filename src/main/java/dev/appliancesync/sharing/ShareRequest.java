package dev.appliancesync.sharing;

import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import dev.appliancesync.sharing.ShareRepository.Target;

/**
 * What someone is being given, checked and normalised: a share when {@code email} belongs to an account, otherwise
 * an invitation. {@code ownerId} owns the target and hears of it; {@code capabilities} null means the whole role.
 */
record ShareRequest(Target target, UUID ownerId, String email, Role role, Set<Capability> capabilities,
        OffsetDateTime expiresAt) {
}
