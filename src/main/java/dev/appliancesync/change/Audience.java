package dev.appliancesync.change;

/**
 * Who a change-log entry is for: one user, whoever may view an appliance, or whoever may view a household when it is
 * delivered. Stored (and compared) by name in {@code change_log.audience}.
 */
public enum Audience {
    USER,
    APPLIANCE,
    HOUSEHOLD
}
