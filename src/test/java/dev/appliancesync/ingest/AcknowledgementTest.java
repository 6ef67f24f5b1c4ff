package dev.appliancesync.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedServersForTests;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.ConfiguredServers;
import dev.appliancesync.support.MqttDevice;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * A device message is acknowledged to the broker only once its effect is committed. The service reaches its own
 * PostgreSQL through a TCP forwarder the test cuts (connections closed, new ones refused) and restores, and keeps a
 * persistent MQTT session (fixed client id, clean session off, as in production), so the broker's view can be checked
 * by taking that session over: whatever the broker hands the taker is what the service has not acknowledged (both
 * come with the ConfiguredServers profile).
 */
@QuarkusTest
@TestProfile(ConfiguredServers.class)
class AcknowledgementTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    MeterRegistry metrics;

    private MqttDevice device;

    @BeforeEach
    void connect() throws Exception {
        device = MqttDevice.connect(ConfiguredServers.broker().host(), ConfiguredServers.broker().port());
    }

    @AfterEach
    void disconnect() {
        ConfiguredServers.toDatabase().restore();
        device.close();
    }

    @Test
    void aMessageIsNotAcknowledgedBeforeItsBatchCommits() throws Exception {
        String thing = Appliances.provision("MINI_OVEN")[0];
        UUID oven = applianceId(thing);
        shadow(thing, 1, "on");
        await().atMost(WAIT).until(() -> shadowVersion(oven) == 1);
        double staleAcks = counter("appliance_sync.mqtt.stale_acks");

        ConfiguredServers.toDatabase().cut();
        shadow(thing, 2, "held while the database is away");
        await().atMost(WAIT).until(() -> waiting() >= 1);

        // The broker still has it: taking the service's session over, the taker is handed the message.
        List<String> handedOver = takeOverSession();
        assertThat(handedOver).anySatisfy(payload -> assertThat(payload).contains("held while the database is away"));
        assertThat(shadowVersion(oven)).as("applied while the database was away").isEqualTo(1);

        ConfiguredServers.toDatabase().restore();
        await().atMost(WAIT).until(() -> shadowVersion(oven) == 2 && waiting() == 0);
        // The first copy's batch committed after its connection had been taken over: its PUBACK was not sent (it
        // would have acknowledged whatever the new connection gave that packet id); the broker's redelivery was
        // applied again (no change, latest-wins) and acknowledged on the new connection.
        await().atMost(WAIT).until(() -> counter("appliance_sync.mqtt.stale_acks") > staleAcks);
        assertThat(count("select count(*) from change_log where appliance_id = ? and type = 'DEVICE_STATE'", oven))
                .as("state changes recorded: versions 1 and 2, once each").isEqualTo(2);
    }

    @Test
    void whileTheDatabaseIsAwayMessagesAreHeldNotDeadLetteredAndAllAppliedOnceItIsBack() throws Exception {
        String oven = Appliances.provision("MINI_OVEN")[0];
        String fridge = Appliances.provision("FRIDGE")[0];
        UUID ovenId = applianceId(oven);
        UUID fridgeId = applianceId(fridge);
        double received = counter("appliance_sync.ingest.messages");

        ConfiguredServers.toDatabase().cut();
        int events = 20;
        for (int version = 1; version <= 10; version++) {
            shadow(oven, version, "oven " + version);
            shadow(fridge, version, "fridge " + version);
        }
        for (int i = 1; i <= events; i++) {
            device.publish("appliances/" + oven + "/events", new JsonObject().put("eventId", "outage-" + i)
                    .put("type", "DOOR_LEFT_OPEN").put("occurredAt", OffsetDateTime.now().toString()).encode());
        }
        await().atMost(WAIT).until(() -> counter("appliance_sync.ingest.messages") - received >= 1);
        // For as long as the database stays away: nothing applied, nothing dead-lettered, the messages held.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> waiting() > 0
                && deadLetters(oven, fridge) == 0 && shadowVersion(ovenId) == 0 && shadowVersion(fridgeId) == 0);

        ConfiguredServers.toDatabase().restore();
        await().atMost(WAIT).until(() -> shadowVersion(ovenId) == 10 && shadowVersion(fridgeId) == 10
                && count("select count(*) from device_event where appliance_id = ?", ovenId) == events);
        await().atMost(WAIT).until(() -> waiting() == 0);
        assertThat(deadLetters(oven, fridge)).as("dead letters").isZero();
        assertThat(counter("appliance_sync.ingest.messages") - received).as("received").isGreaterThanOrEqualTo(40);
    }

    /**
     * Connects with the service's own client id and session (the broker disconnects the service), collects what the
     * broker hands over within a bound, acknowledges nothing, and disconnects, leaving the session to the service.
     */
    private static List<String> takeOverSession() throws Exception {
        EmbeddedMqttBroker broker = ConfiguredServers.broker();
        Vertx vertx = Vertx.vertx();
        Queue<String> payloads = new ConcurrentLinkedQueue<>();
        try {
            MqttClientOptions options = new MqttClientOptions().setClientId(ConfiguredServers.MQTT_CLIENT_ID)
                    .setCleanSession(false).setMaxMessageSize(512 * 1024);
            options.setAutoAck(false);
            MqttClient taker = MqttClient.create(vertx, options);
            taker.publishHandler(message -> payloads.add(message.payload().toString()));
            taker.connect(broker.port(), broker.host()).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(2)).until(() -> !payloads.isEmpty());
            taker.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return List.copyOf(payloads);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void shadow(String thing, long version, String status) throws Exception {
        device.publish("aws/things/" + thing + "/shadow/update/documents", MqttDevice.shadowDocument(version, status));
    }

    private double waiting() {
        return metrics.get("appliance_sync.ingest.waiting").gauge().value();
    }

    private double counter(String name) {
        return metrics.get(name).counter().count();
    }

    private static UUID applianceId(String thing) throws SQLException {
        try (Connection connection = direct();
                PreparedStatement query = connection.prepareStatement("select id from appliance where thing_name = ?")) {
            query.setString(1, thing);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).as("appliance %s", thing).isTrue();
                return rows.getObject(1, UUID.class);
            }
        }
    }

    private static long shadowVersion(UUID appliance) throws SQLException {
        return count("select coalesce(max(shadow_version), 0) from device_state where appliance_id = ? "
                + "and shadow_name = ''", appliance);
    }

    private static long deadLetters(String... things) throws SQLException {
        long total = 0;
        for (String thing : things) {
            total += count("select count(*) from dead_letter where topic like ?", "%/" + thing + "/%");
        }
        return total;
    }

    /** Straight to PostgreSQL, past the forwarder, so the test can look while the service cannot. */
    private static long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = direct(); PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static Connection direct() throws SQLException {
        return DriverManager.getConnection(ConfiguredServers.postgres().jdbcUrl(),
                EmbeddedServersForTests.POSTGRES_USER, EmbeddedServersForTests.POSTGRES_USER);
    }
}
