package dev.appliancesync.alarm;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Alarm rules and their timers ({@code appliance-sync.alarms.*}; docs/alarms.md). */
@ConfigMapping(prefix = "appliance-sync.alarms")
public interface AlarmsConfig {

    String THING_NAME = "{thingName}";

    /**
     * Whether this instance starts alarm timers and raises alarms. Off while rolling from a release that does not
     * know ALARM_RAISED and ALARM_CLEARED (docs/deployment.md): those instances would fail to read the entries.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The longest a due timer waits for a scheduler pass when no precise timer was set for it (one set on another
     * instance, or before a restart); with the precise timer for the nearest deadline, alarms are raised on time.
     */
    @WithDefault("1S")
    Duration pollInterval();

    /** Alarms raised, and messages published, per statement of a pass; a full batch goes on at once. */
    @WithDefault("100")
    int batchSize();

    /** How long a publisher holds an alarm message before another may publish it again (no PUBACK meanwhile). */
    @WithDefault("30S")
    Duration publishLease();

    /** Where a device's alarms are published (QoS 1); {thingName} is the appliance's thing name. */
    @WithDefault("appliances/{thingName}/alarms")
    String topic();

    default String topicFor(String thingName) {
        return topic().replace(THING_NAME, thingName);
    }
}
