package dev.appliancesync.ingest;

import java.time.OffsetDateTime;

import io.vertx.core.json.JsonObject;

/** What a device message says, once parsed; everything names the thing it came from. */
public sealed interface DeviceMessage {

    String thingName();

    /** A shadow (classic: name "") or compact telemetry (name {@link #TELEMETRY}), ordered by version. */
    record State(String thingName, String shadowName, JsonObject reported, JsonObject desired, long version,
            OffsetDateTime reportedAt) implements DeviceMessage {
        /** Telemetry is kept apart from shadows: AWS shadow names cannot contain '$'. */
        public static final String TELEMETRY = "$telemetry";
    }

    /** Connected or disconnected, at the event's own time (events can arrive out of order). */
    record Presence(String thingName, boolean online, OffsetDateTime at) implements DeviceMessage {
    }

    /** A device announcing itself, claimable from now on. */
    record Provisioned(String thingName, String serialNumber, String type, String firmwareVersion,
            String claimCodeHash) implements DeviceMessage {
    }

    /** Something that happened on the device, once per event id. */
    record Event(String thingName, String eventId, String type, OffsetDateTime occurredAt, JsonObject details)
            implements DeviceMessage {
        public static final String FACTORY_RESET = "FACTORY_RESET";
    }
}
