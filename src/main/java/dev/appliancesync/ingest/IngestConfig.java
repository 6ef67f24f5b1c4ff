package dev.appliancesync.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Device ingestion. Topic filters use {@code +} where the thing name is (the first {@code +}) and the shadow name (the
 * second, for named shadows); the MQTT channels subscribe to the same filters (see application.properties), under
 * {@code $share/<share-group>/} so that several instances split the messages between them.
 */
@ConfigMapping(prefix = "appliance-sync.ingest")
public interface IngestConfig {

    /** Larger payloads are dead-lettered (IoT Core's own limit is 128 KB). */
    @WithDefault("131072")
    int maxPayloadBytes();

    /** Messages applied in one transaction at most. */
    @WithDefault("500")
    int batchSize();

    /** Messages waiting to be applied at most; more are dead-lettered as OVERLOADED (MQTT 3.1.1 cannot slow IoT Core). */
    @WithDefault("20000")
    int maxWaiting();

    /** The shared-subscription group all instances join (the channels' topics use it). */
    String shareGroup();

    Topics topics();

    interface Topics {
        /** IoT Core's documents of the classic shadow. */
        String shadow();

        /** IoT Core's documents of named shadows. */
        String namedShadow();

        /** Compact state from devices without shadows: {"version", "reported", "timestamp"}. */
        String telemetry();

        /** IoT Core lifecycle: a client connected (the client id is the thing name). */
        String connected();

        /** IoT Core lifecycle: a client disconnected. */
        String disconnected();

        /** A new device announces itself: {"serialNumber", "type", "firmwareVersion", "claimCodeHash"}. */
        String provisioned();

        /** Device events: {"eventId", "type", "occurredAt", "details"}, e.g. FACTORY_RESET, DOOR_LEFT_OPEN. */
        String events();
    }
}
