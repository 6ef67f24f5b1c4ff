package dev.appliancesync.change;

import static dev.appliancesync.change.Audience.APPLIANCE;
import static dev.appliancesync.change.Audience.HOUSEHOLD;
import static dev.appliancesync.change.Audience.USER;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every kind of change-log entry there is, with what the rest of the service decides from the kind alone. The name is
 * the stored and wire form ({@code change_log.type}, the GraphQL {@code Change.type}); a producer names one of these,
 * so a kind that is not here cannot be written, and one that is here says whether it changes access, so a live
 * subscriber's view is read again (and cut off where access ended) without a second list to keep in step.
 */
public enum ChangeType {

    // Appliances and households: who owns them, where they are
    APPLIANCE_CLAIMED(Access.CHANGES, USER),
    APPLIANCE_RENAMED(Access.KEEPS, APPLIANCE),
    APPLIANCE_HOUSEHOLD_CHANGED(Access.CHANGES, APPLIANCE),
    /** Removed from its owner's account: to the owner and to everyone who could view it. */
    APPLIANCE_RELEASED(Access.CHANGES, USER, APPLIANCE),
    /** To the old and the new owner and to everyone who could view it. */
    OWNERSHIP_TRANSFERRED(Access.CHANGES, USER, APPLIANCE),
    HOUSEHOLD_CREATED(Access.CHANGES, USER),
    HOUSEHOLD_APPLIANCE_ADDED(Access.CHANGES, HOUSEHOLD),
    HOUSEHOLD_APPLIANCE_REMOVED(Access.CHANGES, HOUSEHOLD),

    // Sharing: to the recipient, the owner and whoever acted
    SHARE_GRANTED(Access.CHANGES, USER),
    SHARE_UPDATED(Access.CHANGES, USER),
    SHARE_REVOKED(Access.CHANGES, USER),
    SHARE_EXPIRED(Access.CHANGES, USER),
    INVITATION_CREATED(Access.KEEPS, USER),
    INVITATION_ACCEPTED(Access.KEEPS, USER),
    INVITATION_CANCELLED(Access.KEEPS, USER),
    /** Where IoT Core and Cognito stand on a share; access itself changed with the share's own entry. */
    SHARE_CLOUD_SYNC(Access.KEEPS, USER),

    // Commands: to the person who issued them
    COMMAND_ISSUED(Access.KEEPS, USER),
    COMMAND_SUCCEEDED(Access.KEEPS, USER),
    COMMAND_FAILED(Access.KEEPS, USER),
    COMMAND_TIMED_OUT(Access.KEEPS, USER),

    // The device's own reports
    DEVICE_STATE(Access.KEEPS, APPLIANCE),
    DEVICE_PRESENCE(Access.KEEPS, APPLIANCE),
    DEVICE_EVENT(Access.KEEPS, APPLIANCE),

    // Alarms (alarm/): an appliance met a rule's condition for the rule's duration, and the condition ended
    ALARM_RAISED(Access.KEEPS, APPLIANCE),
    ALARM_CLEARED(Access.KEEPS, APPLIANCE),

    PREFERENCES_CHANGED(Access.KEEPS, USER),

    /** Never stored: the first item of an announced live stream, whose cursor is where the stream starts. */
    SUBSCRIBED(Access.KEEPS, USER),

    /**
     * Never written: what an entry of a kind this release does not know (written by a newer release during a rolling
     * deploy) is read as. Nobody is shown it, and it counts as changing access, so whoever may be concerned has their
     * view read again rather than miss what the newer release meant by it.
     */
    UNKNOWN(Access.CHANGES, USER, APPLIANCE, HOUSEHOLD);

    /** Whether an entry of a kind changes who may see or do what; a named argument reads better than a boolean. */
    private enum Access { CHANGES, KEEPS }

    private final boolean changesAccess;
    private final Set<Audience> audiences;

    ChangeType(Access access, Audience first, Audience... rest) {
        this.changesAccess = access == Access.CHANGES;
        this.audiences = Set.copyOf(EnumSet.of(first, rest));
    }

    /** The kind stored as {@code name}; {@link #UNKNOWN} for one this release does not know. */
    public static ChangeType fromStored(String name) {
        try {
            ChangeType type = valueOf(name);
            return type == UNKNOWN ? UNKNOWN : type;
        } catch (IllegalArgumentException unknown) {
            return UNKNOWN;
        }
    }

    /**
     * Does an entry of this kind change someone's access (their grants, an appliance's owner or household)? Then
     * whoever receives it must have their access read again before anything else is delivered to them.
     */
    public boolean changesAccess() {
        return changesAccess;
    }

    /** The audiences an entry of this kind is written for; {@link Change} refuses any other. */
    public Set<Audience> audiences() {
        return audiences;
    }
}
