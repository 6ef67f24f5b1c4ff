package dev.appliancesync.access;

import java.util.Arrays;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;

@Description("Something a person may do with an appliance. The first four can be granted in a share's explicit capability set.")
public enum Capability implements GuardedAction {
    @Description("See the appliance, its state and presence; keep personal preferences for it")
    VIEW_STATUS(true),
    @Description("Send setting commands (temperature, mode, timers)")
    ADJUST_SETTINGS(true),
    @Description("Send start and stop commands")
    START_STOP(true),
    @Description("Send maintenance commands (firmware update, calibration, reboot)")
    MAINTAIN(true),
    @Description("Share the appliance, revoke its shares, see who it is shared with")
    MANAGE_SHARES(false),
    @Description("Rename the appliance")
    RENAME(false),
    @Description("Release the appliance (it becomes claimable again)")
    REMOVE(false),
    @Description("Give the appliance to another person")
    TRANSFER(false),
    @Description("Put the appliance into a household or take it out")
    ASSIGN_HOUSEHOLD(false);

    private final boolean shareable;

    Capability(boolean shareable) {
        this.shareable = shareable;
    }

    /** Whether a share's explicit capability set may name it (device capabilities, not ownership). */
    public boolean shareable() {
        return shareable;
    }

    public static List<Capability> all() {
        return Arrays.asList(values());
    }

    /** Stored names (a share's explicit set) back to capabilities; null stays null (the role's own). */
    public static List<Capability> fromNames(String[] names) {
        return names == null ? null : Arrays.stream(names).map(Capability::valueOf).toList();
    }
}
