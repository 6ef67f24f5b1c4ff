package dev.appliancesync.embedded;

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

    /** application.properties' appliance-sync.embedded.mqtt.max-queued-messages. */
    public static final int MQTT_MAX_QUEUED_MESSAGES = 100_000;

    /** application.properties' appliance-sync.embedded.mqtt.max-inflight-messages. */
    public static final int MQTT_MAX_INFLIGHT_MESSAGES = 1000;

    /** An MQTT broker on a free port. */
    public static EmbeddedMqttBroker mqttBroker(int maxPacketSizeBytes) {
        return EmbeddedMqttBroker.start(0, maxPacketSizeBytes, MQTT_MAX_QUEUED_MESSAGES, MQTT_MAX_INFLIGHT_MESSAGES);
    }
}
