package dev.appliancesync.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.appliancesync.command.mqtt.DeviceCommandPublisher;
import dev.appliancesync.common.mqtt.TopicFilter;
import dev.appliancesync.ingest.IngestConfig;
import dev.appliancesync.support.Database;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.messages.MqttPublishMessage;

/** The test run itself runs on the embedded parts: a migrated PostgreSQL and a broker that really delivers. */
@QuarkusTest
class EmbeddedServicesTest {

    @Inject
    Database database;

    @Inject
    DeviceCommandPublisher commands;

    @Inject
    IngestConfig ingest;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String datasourceUrl;

    @ConfigProperty(name = "mp.messaging.connector.smallrye-mqtt.port")
    int mqttPort;

    @Test
    void theServiceUsesTheEmbeddedPostgresWithTheWholeModelMigrated() {
        EmbeddedPostgresServer postgres = EmbeddedServices.find(EmbeddedPostgresServer.class).orElseThrow();
        assertThat(datasourceUrl).isEqualTo(postgres.reactiveUrl());
        for (String table : new String[] { "app_user", "household", "appliance", "claim_attempt", "share",
                "invitation", "preference", "device_state", "device_presence", "device_event", "command",
                "change_log", "audit_log", "dead_letter", "cloud_sync_state" }) {
            assertThat(database.count("select count(*) from information_schema.tables where table_name = $1", table))
                    .as(table).isOne();
        }
    }

    @Test
    void theModelEnforcesItsConstraints() {
        // A share must name exactly one of appliance or household: the database says no, whatever the code does.
        assertThat(database.count("""
                select count(*) from pg_constraint
                where conrelid = 'share'::regclass and contype = 'c'
                  and pg_get_constraintdef(oid) like '%appliance_id IS NULL%household_id IS NULL%'""")).isOne();
        assertThat(database.count("""
                select count(*) from pg_constraint where conrelid = 'appliance'::regclass and contype = 'f'"""))
                .isEqualTo(2);
    }

    @Test
    void commandsReachADeviceSubscribedOnTheEmbeddedBroker() throws Exception {
        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        assertThat(mqttPort).isEqualTo(broker.port());

        Vertx vertx = Vertx.vertx();
        try {
            MqttClient device = MqttClient.create(vertx,
                    new io.vertx.mqtt.MqttClientOptions().setClientId("device-" + java.util.UUID.randomUUID()));
            CompletableFuture<MqttPublishMessage> received = new CompletableFuture<>();
            device.publishHandler(received::complete);
            // subscribe() completes when SUBSCRIBE is written, not when the broker has it: wait for the SUBACK, or
            // a command published in between is dropped for want of a subscriber (this test flaked on exactly that).
            CompletableFuture<Void> subscribed = new CompletableFuture<>();
            device.subscribeCompletionHandler(ack -> subscribed.complete(null));
            device.connect(broker.port(), broker.host()).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            device.subscribe("appliances/oven-42/commands", MqttQoS.AT_LEAST_ONCE.value());
            subscribed.get(10, TimeUnit.SECONDS);

            commands.publish("oven-42", "{\"command\":\"START\"}").await().atMost(Duration.ofSeconds(10));

            MqttPublishMessage message = received.get(10, TimeUnit.SECONDS);
            assertThat(message.topicName()).isEqualTo("appliances/oven-42/commands");
            assertThat(message.payload().toString()).isEqualTo("{\"command\":\"START\"}");
            assertThat(message.qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        } finally {
            vertx.close();
        }
    }

    @Test
    void theDeviceTopicsAreSubscribedPlainlyOnTheBrokerOnlyThisInstanceUses() {
        // Nobody to share them with; HiveMQ CE looks for each acknowledged message of a shared subscription through
        // the subscription's whole queue (IngestConfig#shared).
        assertThat(ingest.shared()).isFalse();
        assertThat(ingest.subscription(ingest.topics().shadow())).isEqualTo(new TopicFilter(ingest.topics().shadow()));
        assertThat(ingest.subscription(ingest.topics().events())).isEqualTo(new TopicFilter(ingest.topics().events()));
    }

    @Test
    void aThingNameThatCouldEscapeItsTopicIsRefused() {
        assertThat(commands.publish("oven/+/#", "{}").subscribeAsCompletionStage())
                .failsWithin(Duration.ofSeconds(5));
    }
}
