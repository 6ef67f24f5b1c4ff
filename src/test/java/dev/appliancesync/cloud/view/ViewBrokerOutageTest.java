package dev.appliancesync.cloud.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.change.Cursors;
import dev.appliancesync.cloud.topics.AppTopics.Channel;
import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.common.mqtt.BrokerConnection;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.ConfiguredServers;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * The broker away for real: the service reaches its MQTT broker (HiveMQ, started by the profile) through a TCP
 * forwarder the test cuts and restores, while the app's connection goes to the broker directly. A change logged meanwhile is not
 * acknowledged, so the cursor stays before it; once the connection is back it is published and the cursor moves.
 */
@QuarkusTest
@TestProfile(ConfiguredServers.class)
class ViewBrokerOutageTest {

    @Inject
    Database database;
    @Inject
    MeterRegistry metrics;
    @Inject
    BrokerConnection connection;
    @Inject
    DeviceStateService states;

    @AfterEach
    void restore() {
        ConfiguredServers.toBroker().restore();
    }

    @Test
    void whileTheBrokerIsAwayTheCursorStaysAndTheChangeIsPublishedWhenItIsBack() throws Exception {
        ViewRelayProbe probe = new ViewRelayProbe(database, metrics);
        User owner = User.signedIn("away");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = GraphQL.post(owner.token(), "query($a: ID!) { appliance(id: $a) { thingName } }",
                Map.of("a", oven.id())).then().body("errors", nullValue()).extract().path("data.appliance.thingName");
        String status = AppTopics.ofThing(thing, Channel.STATUS);
        await().atMost(ViewRelayProbe.WAIT).until(() -> connection.status().ready());
        try (AppConnection app = AppConnection.connect(ConfiguredServers.broker(),
                "eu-west-1:" + UUID.randomUUID() + "-phone")
                .subscribe(status)) {
            ConfiguredServers.toBroker().cut();
            await().atMost(ViewRelayProbe.WAIT).until(() -> !connection.status().connected());
            double failedBefore = probe.failedPasses();

            // A state stored while the broker is away (devices cannot reach the service now: stored directly).
            states.record(UUID.fromString(oven.id()), "", new JsonObject().put("status", "stored while away"),
                    new JsonObject(), 1, OffsetDateTime.now()).await().atMost(ViewRelayProbe.WAIT);
            String cursor = probe.loggedStates(oven.id(), 1).getFirst();

            await().atMost(ViewRelayProbe.WAIT).until(() -> probe.lag() > 0 && probe.failedPasses() > failedBefore);
            assertThat(probe.cursor().isBefore(Cursors.parse(cursor))).as("the cursor waits before it").isTrue();
            assertThat(app.on(status)).isEmpty();

            ConfiguredServers.toBroker().restore();
            await().atMost(ViewRelayProbe.WAIT).until(() -> ViewRelayProbe.cursorsOf(app.on(status)).contains(cursor));
            JsonObject published = app.on(status).getFirst();
            assertThat(published.getJsonObject("data").getJsonObject("reported").getString("status"))
                    .isEqualTo("stored while away");
            await().atMost(ViewRelayProbe.WAIT).until(() -> !probe.cursor().isBefore(Cursors.parse(cursor))
                    && probe.lag() == 0);
        }
    }
}
