package dev.appliancesync.command;

import org.eclipse.microprofile.graphql.Description;

import dev.appliancesync.access.Capability;

@Description("A command an app can send to an appliance; each needs one capability")
public enum DeviceCommand {
    START(Capability.START_STOP),
    STOP(Capability.START_STOP),
    PAUSE(Capability.START_STOP),
    RESUME(Capability.START_STOP),
    SET_TEMPERATURE(Capability.ADJUST_SETTINGS),
    SET_MODE(Capability.ADJUST_SETTINGS),
    SET_TIMER(Capability.ADJUST_SETTINGS),
    SET_PRESET(Capability.ADJUST_SETTINGS),
    UPDATE_FIRMWARE(Capability.MAINTAIN),
    CALIBRATE(Capability.MAINTAIN),
    REBOOT(Capability.MAINTAIN);

    private final Capability requires;

    DeviceCommand(Capability requires) {
        this.requires = requires;
    }

    public Capability requires() {
        return requires;
    }
}
