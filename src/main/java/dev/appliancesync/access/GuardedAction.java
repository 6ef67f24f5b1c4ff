package dev.appliancesync.access;

/**
 * Something a caller asks to do that {@link Guard} checks: an appliance {@link Capability} or a household action.
 * Enums implement it by name, which is what the policies and the audit log see.
 */
public interface GuardedAction {

    String name();
}
