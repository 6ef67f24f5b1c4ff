package dev.appliancesync.ingest;

import java.time.Duration;

import dev.appliancesync.common.mqtt.TopicFilter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Device ingestion. Topic filters use {@code +} where the thing name is (the first {@code +}) and the shadow name (the
 * second, for named shadows); the service subscribes to them under {@code $share/<share-group>/} so that several
 * instances split the messages between them ({@link #subscription}).
 */
@ConfigMapping(prefix = "appliance-sync.ingest")
public interface IngestConfig {

    /** Larger payloads are dead-lettered (IoT Core's own limit is 128 KB). */
    @WithDefault("131072")
    int maxPayloadBytes();

    /** Messages applied in one transaction at most. */
    @WithDefault("500")
    int batchSize();

    /**
     * Thing names whose appliance id is remembered between batches (about 150 bytes each), so that a batch of known
     * devices skips looking them up; 0 looks every batch's names up.
     */
    @WithDefault("100000")
    int thingIdsRemembered();

    /** The first wait before a batch the database could not take is tried again; it doubles up to the maximum. */
    @WithDefault("100MS")
    Duration retryDelay();

    @WithDefault("5S")
    Duration retryMaxDelay();

    /** The shared-subscription group all instances join. */
    String shareGroup();

    /**
     * Whether the service subscribes in the share group at all; false subscribes every filter plainly, for a broker
     * this instance is the only subscriber of. The embedded broker is one (it serves the instance that starts it, in
     * dev mode and tests), and sets this to false: HiveMQ CE looks for each acknowledged message of a shared
     * subscription through the whole of that subscription's queue (in flight and waiting), so once the service
     * fell behind every acknowledgement cost as much as the backlog was long, and the broker took the CPU the service
     * needed to catch up (60 % of the JVM's samples in IngestionBenchmark). A plain subscription's acknowledgement
     * finds its message at the head of the client's queue.
     */
    @WithDefault("true")
    boolean shared();

    /**
     * Whether the broker's reserved topics ({@code $aws/...}) are subscribed in the share group too. mosquitto 2.0
     * never delivers a '$' topic to a shared subscription, so against it they are subscribed plainly (one instance).
     */
    @WithDefault("true")
    boolean shareReservedTopics();

    Topics topics();

    /**
     * What the service subscribes to for {@code filter}: shared in the group, unless sharing is off or it is a reserved
     * topic left plain.
     */
    default TopicFilter subscription(String filter) {
        return !shared() || filter.startsWith("$") && !shareReservedTopics() ? new TopicFilter(filter)
                : TopicFilter.shared(shareGroup(), filter);
    }

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
