package dev.appliancesync.support;

import java.util.List;
import java.util.Map;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedPostgresServer;
import dev.appliancesync.embedded.EmbeddedServersForTests;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The service configured with a PostgreSQL and an MQTT broker started by the test, outside the application, as
 * production configures real ones: nothing embedded starts. The service reaches each through a TCP forwarder that a
 * test cuts (connections closed, new ones refused) and restores, while Flyway and the tests' own clients reach them
 * directly. The tests that take a server away share this profile, and so one Quarkus start; each restores what it cut.
 * <p>
 * As in production, the service keeps a persistent MQTT session (a fixed client id, clean session off), so that
 * AcknowledgementTest can take the session over and see what the broker still holds for the service. The service
 * reconnects to the broker every {@value #MQTT_RECONNECT_DELAY} (no longer: a test sees it back within that) and no
 * sooner (a session's taker has the session to itself meanwhile). Commands time out and are retried within seconds
 * (CommandOutboxTest).
 */
public class ConfiguredServers implements QuarkusTestProfile {

    /** Fixed: the profile and the tests see this class through different class loaders (a random part would differ). */
    public static final String MQTT_CLIENT_ID = "appliance-sync-configured-servers";
    private static final String MQTT_RECONNECT_DELAY = "3S";

    private static EmbeddedPostgresServer postgres;
    private static EmbeddedMqttBroker broker;
    private static TcpProxy toDatabase;
    private static TcpProxy toBroker;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("mp.messaging.connector.smallrye-mqtt.client-id", MQTT_CLIENT_ID),
                Map.entry("mp.messaging.connector.smallrye-mqtt.auto-clean-session", "false"),
                Map.entry("mp.messaging.connector.smallrye-mqtt.reconnect-delay", MQTT_RECONNECT_DELAY),
                Map.entry("mp.messaging.connector.smallrye-mqtt.reconnect-max-delay", MQTT_RECONNECT_DELAY),
                Map.entry("appliance-sync.ingest.retry-max-delay", "500MS"),
                // Idle connections are dropped within a second, so the pool's health check meets a cut at once.
                Map.entry("quarkus.datasource.reactive.idle-timeout", "PT1S"),
                // Command time-outs and retries short enough for CommandOutboxTest; no other test here sends one.
                Map.entry("appliance-sync.commands.timeout", "5S"),
                Map.entry("appliance-sync.commands.relay-interval", "200MS"),
                Map.entry("appliance-sync.commands.retry-initial", "200MS"),
                Map.entry("appliance-sync.commands.retry-max", "1S"),
                Map.entry("appliance-sync.commands.publish-timeout", "2S"));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    /** The PostgreSQL the service reaches only through {@link #toDatabase()}; its user and password are "postgres". */
    public static EmbeddedPostgresServer postgres() {
        return postgres;
    }

    /** The broker the service reaches only through {@link #toBroker()}, for the tests' own clients. */
    public static EmbeddedMqttBroker broker() {
        return broker;
    }

    /** Between the service and its PostgreSQL: cut it to take the database away. */
    public static TcpProxy toDatabase() {
        return toDatabase;
    }

    /** Between the service and its broker: cut it to take the broker away. */
    public static TcpProxy toBroker() {
        return toBroker;
    }

    /** Starts both servers and their forwarders before Quarkus starts, and points the service at the forwarders. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            postgres = EmbeddedServersForTests.postgres();
            broker = EmbeddedServersForTests.mqttBroker(262144);
            toDatabase = TcpProxy.to(postgres.port());
            toBroker = TcpProxy.to(broker.port());
            String user = EmbeddedServersForTests.POSTGRES_USER;
            return Map.of(
                    // The service runs through the forwarder; Flyway migrates directly.
                    "quarkus.datasource.reactive.url",
                    "postgresql://" + TcpProxy.HOST + ":" + toDatabase.port() + "/postgres",
                    "quarkus.datasource.jdbc.url", postgres.jdbcUrl(),
                    "quarkus.datasource.username", user,
                    "quarkus.datasource.password", user,
                    "mp.messaging.connector.smallrye-mqtt.host", TcpProxy.HOST,
                    "mp.messaging.connector.smallrye-mqtt.port", String.valueOf(toBroker.port()));
        }

        @Override
        public void stop() {
            toBroker.close();
            toDatabase.close();
            broker.stop();
            postgres.stop();
        }
    }
}
