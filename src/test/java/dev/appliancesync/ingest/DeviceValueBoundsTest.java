package dev.appliancesync.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Whatever number a device sends, no app breaks: a 64-bit version (a device that versions by its clock in epoch
 * milliseconds) is stored and shown exactly, and what no app could show (past 2^53 − 1) or what is in the wrong time
 * unit is dead-lettered with its reason, while every subscription of the owner keeps going. (A version past Int once
 * ended every applianceState subscription of the owner with INTERNAL, for good: latest-wins kept it.)
 */
@QuarkusTest
class DeviceValueBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String AWS = "aws";
    /** An epoch-milliseconds version, as devices without a shadow send: past Int. */
    private static final long CLOCK_VERSION = 1_796_588_347_919L;
    private static final String STATE = """
            subscription($a: ID) { applianceState(applianceId: $a) { applianceId version reported } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Database database;

    private MqttDevice device;

    @BeforeEach
    void connect() throws Exception {
        device = MqttDevice.connectToEmbeddedBroker();
    }

    @AfterEach
    void disconnect() {
        device.close();
    }

    @Test
    void aVersionPastIntIsShownExactlyAndWhatNoAppCouldShowIsDeadLetteredWhileSubscriptionsGoOn() throws Exception {
        User owner = User.signedIn("owner");
        Appliances.Claimed sense = Appliances.claimed(owner.token(), "SENSE");
        String thing = sense.serialNumber();
        UUID id = UUID.fromString(sense.id());
        long seconds = System.currentTimeMillis() / 1000;
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("one", STATE, Map.of("a", sense.id()));
            ws.subscribe("all", "subscription { applianceState { applianceId version } }");

            telemetry(thing, CLOCK_VERSION, seconds, "first");
            assertThat(nextVersion(ws, "one", sense.id())).isEqualTo(CLOCK_VERSION);
            assertThat(nextVersion(ws, "all", sense.id())).isEqualTo(CLOCK_VERSION);

            String marker = UUID.randomUUID().toString();
            // Milliseconds where IoT Core's seconds belong: some 57,000 years from now.
            telemetry(thing, CLOCK_VERSION + 1, seconds * 1000, marker);
            device.publish(AWS + "/things/" + thing + "/shadow/update/documents",
                    shadowWithTimestamp(2, seconds * 1000, marker));
            // Past 2^53 - 1, and past 2^63: no app could show either exactly.
            telemetry(thing, (1L << 53), seconds, marker);
            device.publish("appliances/" + thing + "/state", "{\"version\": 18446744073709551616, \"reported\": "
                    + "{\"marker\": \"" + marker + "\"}, \"timestamp\": " + seconds + "}");
            // Seconds where lifecycle events' milliseconds belong: January 1970.
            device.publish(AWS + "/events/presence/connected/" + thing, new JsonObject().put("clientId", thing)
                    .put("timestamp", seconds).put("eventType", "connected").put("marker", marker).encode());
            telemetry(thing, CLOCK_VERSION + 2, seconds, "still flowing");

            assertThat(nextVersion(ws, "one", sense.id())).as("the next state after the refused ones")
                    .isEqualTo(CLOCK_VERSION + 2);
            assertThat(nextVersion(ws, "all", sense.id())).isEqualTo(CLOCK_VERSION + 2);
            await().atMost(WAIT).untilAsserted(() -> assertThat(database.strings(
                    "select reason from dead_letter where position($1::bytea in payload) > 0",
                    marker.getBytes(java.nio.charset.StandardCharsets.UTF_8))).containsExactlyInAnyOrder(
                            "WRONG_UNIT", "WRONG_UNIT", "OUT_OF_RANGE", "OUT_OF_RANGE", "WRONG_UNIT"));
            assertThat(database.strings("select detail from dead_letter where position($1::bytea in payload) > 0 "
                    + "and reason = 'WRONG_UNIT'", marker.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .anyMatch(detail -> detail.contains("epoch seconds")
                            && detail.contains(Instant.ofEpochSecond(seconds * 1000).toString()))
                    .anyMatch(detail -> detail.contains("epoch milliseconds"));

            // A new subscription starts with the stored state, still exactly.
            ws.subscribe("again", STATE, Map.of("a", sense.id()));
            assertThat(nextVersion(ws, "again", sense.id())).isEqualTo(CLOCK_VERSION + 2);
        }
        assertThat(database.count("select count(*) from device_state where appliance_id = $1 and shadow_version = $2",
                id, CLOCK_VERSION + 2)).isOne();
        GraphQL.post(owner.token(), "{ me { id } }").then().statusCode(200).body("errors", nullValue())
                .body("data.me.id", equalTo(owner.id()));
    }

    private void telemetry(String thing, long version, long timestamp, String note) throws Exception {
        device.publish("appliances/" + thing + "/state", new JsonObject().put("version", version)
                .put("reported", new JsonObject().put("marker", note)).put("timestamp", timestamp).encode());
    }

    private static String shadowWithTimestamp(long version, long timestamp, String note) {
        JsonObject document = new JsonObject(MqttDevice.shadowDocument(version, note)).put("timestamp", timestamp);
        return document.encode();
    }

    /** The version of the next state of {@code applianceId} on subscription {@code id}, as a JSON number. */
    private static long nextVersion(GraphQLWebSocket ws, String id, String applianceId) throws InterruptedException {
        while (true) {
            JsonObject message = ws.nextMessage(id);
            assertThat(message.getString("type")).as("the subscription goes on: " + message).isEqualTo("next");
            assertThat(message.getJsonObject("payload").getValue("errors")).as(message.encode()).isNull();
            JsonObject state = message.getJsonObject("payload").getJsonObject("data").getJsonObject("applianceState");
            if (applianceId.equals(state.getString("applianceId"))) {
                Object version = state.getValue("version");
                assertThat(version).as("a JSON number").isInstanceOf(Number.class);
                return ((Number) version).longValue();
            }
        }
    }
}
