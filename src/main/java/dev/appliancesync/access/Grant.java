package dev.appliancesync.access;

import java.util.Set;

/**
 * One reason someone may act on a resource: a role, narrowed to {@code capabilities} when the share named an explicit
 * set (null: the role's own capabilities). A person may hold several (a household membership and a direct share);
 * an action is allowed when any of them allows it.
 */
public record Grant(Role role, Set<Capability> capabilities) {

    public Grant {
        capabilities = capabilities == null ? null : Set.copyOf(capabilities);
    }

    public static Grant of(Role role) {
        return new Grant(role, null);
    }
}
