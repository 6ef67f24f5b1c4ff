package dev.appliancesync.command.mqtt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** MQTT topics the service talks to devices on. {thingName} is replaced by the appliance's IoT thing name. */
@ConfigMapping(prefix = "appliance-sync.mqtt.topics")
public interface DeviceTopicsConfig {

    String THING_NAME = "{thingName}";

    /** Where commands to a device are published (QoS 1). */
    @WithDefault("appliances/{thingName}/commands")
    String commands();

    /** Where devices answer them ({@code +} for the thing name); the service subscribes in its share group. */
    @WithDefault("appliances/+/command-results")
    String commandResults();

    default String commandsFor(String thingName) {
        return commands().replace(THING_NAME, thingName);
    }
}
