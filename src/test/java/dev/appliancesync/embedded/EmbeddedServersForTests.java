package dev.appliancesync.embedded;

import java.nio.file.Path;

/**
 * Opens the package-private starters of the embedded servers to tests in other packages (the multi-instance tests
 * start one PostgreSQL and one broker in the test JVM and point several service processes at them).
 */
public final class EmbeddedServersForTests {

    /** The embedded PostgreSQL's user; its password is the same word. */
    public static final String POSTGRES_USER = EmbeddedPostgresServer.USER;

    private EmbeddedServersForTests() {
    }

    /** A throw-away PostgreSQL on a free port, removed on stop. */
    public static EmbeddedPostgresServer postgres() {
        return EmbeddedPostgresServer.start(null, 0);
    }

    /**
     * A PostgreSQL keeping its data in {@code dataDirectory} (a new cluster if it holds none), on {@code port} when
     * free (0: any free port): started again with the same two, it serves the same data at the same address.
     */
    public static EmbeddedPostgresServer postgres(Path dataDirectory, int port) {
        return EmbeddedPostgresServer.start(dataDirectory, port);
    }

    /** application.properties' appliance-sync.embedded.mqtt.max-queued-messages. */
    public static final int MQTT_MAX_QUEUED_MESSAGES = 100_000;

    /** application.properties' appliance-sync.embedded.mqtt.max-inflight-messages. */
    public static final int MQTT_MAX_INFLIGHT_MESSAGES = 1000;

    /** An MQTT broker on a free port. */
    public static EmbeddedMqttBroker mqttBroker(int maxPacketSizeBytes) {
        return EmbeddedMqttBroker.start(0, maxPacketSizeBytes, MQTT_MAX_QUEUED_MESSAGES, MQTT_MAX_INFLIGHT_MESSAGES);
    }
}
