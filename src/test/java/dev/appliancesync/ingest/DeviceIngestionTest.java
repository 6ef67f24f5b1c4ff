package dev.appliancesync.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
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

/** Real MQTT messages on every device topic, and everything that can be wrong with them. */
@QuarkusTest
class DeviceIngestionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** IoT Core's reserved topic prefix as the test profile spells it (the embedded broker refuses '$' topics). */
    private static final String AWS = "aws";
    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { version reported shadowName } }""";

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
    void shadowDocumentsAreStoredLatestWinsAndPushedOnceEach() throws Exception {
        User owner = User.signedIn("owner");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = oven.serialNumber();
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("state", STATE_OF, Map.of("a", oven.id()));
            shadow(thing, 7, "preheating");
            assertThat(ws.nextData("state").getJsonObject("applianceState").getInteger("version")).isEqualTo(7);
            shadow(thing, 7, "preheating"); // QoS 1 redelivery
            shadow(thing, 5, "late and old");
            shadow(thing, 8, "baking");
            JsonObject next = ws.nextData("state").getJsonObject("applianceState");
            assertThat(next.getInteger("version")).isEqualTo(8);
            assertThat(next.getString("reported")).contains("baking");
        }
        assertThat(database.count("select count(*) from change_log where appliance_id = $1 and type = 'DEVICE_STATE'",
                UUID.fromString(oven.id()))).isEqualTo(2);
    }

    @Test
    void telemetryNamedShadowsAndPresenceAreStored() throws Exception {
        User owner = User.signedIn("owner");
        Appliances.Claimed sense = Appliances.claimed(owner.token(), "SENSE");
        UUID id = UUID.fromString(sense.id());
        String thing = sense.serialNumber();
        device.publish("appliances/" + thing + "/state", "{\"version\": 3, \"reported\": {\"probe\": 61.5}, \"timestamp\": 1763800000}");
        device.publish(AWS + "/things/" + thing + "/shadow/name/probe/update/documents", MqttDevice.shadowDocument(2, "probe ok"));
        long now = System.currentTimeMillis();
        device.publish(AWS + "/events/presence/disconnected/" + thing, presence(thing, now));
        device.publish(AWS + "/events/presence/connected/" + thing, presence(thing, now - 60_000)); // older, late
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(database.count("select count(*) from device_state where appliance_id = $1 "
                    + "and shadow_name = '$telemetry' and shadow_version = 3", id)).isOne();
            assertThat(database.count("select count(*) from device_state where appliance_id = $1 "
                    + "and shadow_name = 'probe' and shadow_version = 2", id)).isOne();
            assertThat(database.count("select count(*) from device_presence where appliance_id = $1 and not online",
                    id)).isOne();
        });
        GraphQL.post(owner.token(), "query($a: ID!) { appliance(id: $a) { presence { online lastSeenAt } } }",
                Map.of("a", sense.id())).then().statusCode(200).body("errors", nullValue())
                .body("data.appliance.presence.online", equalTo(false));
    }

    @Test
    void aDeviceThatAnnouncesItselfBecomesClaimable() throws Exception {
        String serial = "SN-" + UUID.randomUUID().toString().substring(0, 12);
        String code = "code-" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject announcement = new JsonObject().put("serialNumber", serial).put("type", "FRIDGE")
                .put("firmwareVersion", "1.2.3").put("claimCodeHash", sha256(code));
        device.publish("appliances/" + serial + "/provisioned", announcement.encode());
        device.publish("appliances/" + serial + "/provisioned", announcement.encode()); // again: nothing new
        await().atMost(WAIT).until(() -> database.count("select count(*) from appliance where serial_number = $1",
                serial) == 1);
        User owner = User.signedIn("owner");
        GraphQL.post(owner.token(), "mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { type myRole } }",
                Map.of("s", serial, "c", code)).then().statusCode(200).body("errors", nullValue())
                .body("data.claimAppliance.type", equalTo("FRIDGE")).body("data.claimAppliance.myRole", equalTo("OWNER"));
    }

    @Test
    void alarmsReachViewersOnceAndAFactoryResetEndsEveryShare() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        Appliances.share(owner.token(), oven.id(), guest.email(), "GUEST");
        String thing = oven.serialNumber();
        assertThat(cloudPolicies(guest)).as("the guest's IoT policies name the oven").anyMatch(d -> d.contains(thing));
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, guest.token())) {
            ws.subscribe("state", STATE_OF, Map.of("a", oven.id()));
            ws.subscribe("all", "subscription { changes { type applianceId data } }");
            shadow(thing, 1, "on");
            assertThat(ws.nextData("state").getJsonObject("applianceState").getInteger("version")).isOne();

            String alarm = event("door-1", "DOOR_LEFT_OPEN");
            device.publish("appliances/" + thing + "/events", alarm);
            device.publish("appliances/" + thing + "/events", alarm); // redelivered
            device.publish("appliances/" + thing + "/events", event("reset-1", "FACTORY_RESET"));

            JsonObject change;
            do {
                change = ws.nextData("all").getJsonObject("changes");
            } while (!"DEVICE_EVENT".equals(change.getString("type")));
            assertThat(change.getString("data")).contains("DOOR_LEFT_OPEN");
            JsonObject ended = ws.nextMessage("state");
            assertThat(ended.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).isEqualTo("ACCESS_REVOKED");
        }
        UUID id = UUID.fromString(oven.id());
        assertThat(database.count("select count(*) from device_event where appliance_id = $1", id)).isEqualTo(2);
        assertThat(database.count("select count(*) from appliance where id = $1 and owner_id is null", id)).isOne();
        assertThat(database.count("select count(*) from share where appliance_id = $1 and revoke_reason = 'FACTORY_RESET'",
                id)).isOne();
        GraphQL.post(owner.token(), "query($a: ID!) { appliance(id: $a) { id } }", Map.of("a", oven.id()))
                .then().statusCode(200).body("errors[0].extensions.code", equalTo("NOT_FOUND"));
        // The reset reached the cloud outbox in the same transaction, as a revoke from the API does.
        assertThat(cloudPolicies(guest)).as("guest's IoT policies after the reset").isEmpty();
        assertThat(cloudPolicies(owner)).as("owner's IoT policies after the reset").isEmpty();
    }

    private static java.util.List<String> cloudPolicies(User user) {
        return GraphQL.post(user.token(), "{ cloudAccess { policies { document } } }").then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.cloudAccess.policies.document");
    }

    @Test
    void everyBadMessageIsDeadLetteredWithItsReasonAndGoodOnesKeepFlowing() throws Exception {
        User owner = User.signedIn("owner");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = oven.serialNumber();
        String marker = UUID.randomUUID().toString();
        device.publish(AWS + "/things/" + thing + "/shadow/update/documents", "not json " + marker);
        device.publish(AWS + "/things/" + thing + "/shadow/update/documents", "{\"marker\": \"" + marker + "\"}");
        device.publish(AWS + "/things/unknown-" + marker + "/shadow/update/documents", MqttDevice.shadowDocument(1, marker));
        device.publish("appliances/" + thing + "/state", "{\"version\": -1, \"reported\": {}, \"marker\": \"" + marker + "\"}");
        byte[] huge = ("{\"marker\": \"" + marker + "\", \"pad\": \"" + "x".repeat(140_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        device.publish("appliances/" + thing + "/state", huge);
        device.publish("appliances/" + thing + "/events", "{\"eventId\": \"e\", \"type\": \"lower case " + marker + "\"}");
        shadow(thing, 4, "still flowing");

        UUID id = UUID.fromString(oven.id());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(database.count("select count(*) from device_state where appliance_id = $1 and shadow_version = 4", id))
                    .isOne();
            assertThat(reasons(marker)).containsExactlyInAnyOrder("INVALID_JSON", "WRONG_SHAPE", "UNKNOWN_THING",
                    "WRONG_SHAPE", "TOO_LARGE", "WRONG_SHAPE");
        });
        assertThat(database.count("select count(*) from dead_letter where reason = 'TOO_LARGE' and payload_size > 140000 "
                + "and octet_length(payload) = 8192 and position($1::bytea in payload) > 0", marker.getBytes(StandardCharsets.UTF_8)))
                .isOne();
    }

    /**
     * A message that parses but fails in SQL (PostgreSQL's jsonb refuses the NUL character) fails its batch's
     * transaction: the batch is applied again one message at a time, the poison message is dead-lettered as
     * PROCESSING_FAILED, once, and the messages that came with it are applied.
     */
    @Test
    void aMessageThatFailsItsTransactionIsDeadLetteredOnceAndTheRestOfItsBatchApplied() throws Exception {
        User owner = User.signedIn("owner");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = oven.serialNumber();
        String marker = "poison-" + UUID.randomUUID().toString().substring(0, 8);
        device.publish("appliances/" + thing + "/events", "{\"eventId\": \"" + marker + "\", \"type\": \"DOOR_LEFT_OPEN\", "
                + "\"occurredAt\": \"" + java.time.OffsetDateTime.now() + "\", \"details\": {\"note\": \"\\u0000\"}}");
        shadow(thing, 3, "after the poison");
        device.publish("appliances/" + thing + "/events", event(marker + "-fine", "DOOR_LEFT_OPEN"));

        UUID id = UUID.fromString(oven.id());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(database.count("select count(*) from device_state where appliance_id = $1 and shadow_version = 3",
                    id)).isOne();
            assertThat(database.strings("select event_id from device_event where appliance_id = $1", id))
                    .containsExactly(marker + "-fine");
            assertThat(reasons(marker)).containsExactly("PROCESSING_FAILED");
        });
    }

    /**
     * Thing names' appliance ids are remembered between batches (a thing name is fixed and the service deletes no
     * appliance); one an operator deleted by hand and that registered again under the same name gets a new id, and
     * its messages must still be applied to that one, not dead-lettered against the old.
     */
    @Test
    void aThingRegisteredAgainAfterItsApplianceWasDeletedByHandIsStillApplied() throws Exception {
        String serial = "SN-" + UUID.randomUUID().toString().substring(0, 12);
        JsonObject announcement = new JsonObject().put("serialNumber", serial).put("type", "FRIDGE")
                .put("firmwareVersion", "1.2.3").put("claimCodeHash", sha256("code"));
        device.publish("appliances/" + serial + "/provisioned", announcement.encode());
        await().atMost(WAIT).until(() -> database.count("select count(*) from appliance where serial_number = $1",
                serial) == 1);
        shadow(serial, 1, "first life");
        await().atMost(WAIT).until(() -> database.count("select count(*) from device_state s join appliance a "
                + "on a.id = s.appliance_id where a.serial_number = $1 and s.shadow_version = 1", serial) == 1);

        assertThat(database.count("with gone as (delete from appliance where serial_number = $1 returning 1) "
                + "select count(*) from gone", serial)).isOne();
        device.publish("appliances/" + serial + "/provisioned", announcement.encode());
        await().atMost(WAIT).until(() -> database.count("select count(*) from appliance where serial_number = $1",
                serial) == 1);
        shadow(serial, 2, "second life");

        await().atMost(WAIT).untilAsserted(() -> assertThat(database.count("select count(*) from device_state s "
                + "join appliance a on a.id = s.appliance_id where a.serial_number = $1 and s.shadow_version = 2",
                serial)).isOne());
        assertThat(reasons(serial)).as("dead letters").isEmpty();
    }

    private java.util.List<String> reasons(String marker) {
        return database.strings("select reason from dead_letter where position($1::bytea in payload) > 0 "
                + "or topic like '%' || $2 || '%' or detail like '%' || $2 || '%'", marker.getBytes(StandardCharsets.UTF_8), marker);
    }

    private void shadow(String thing, long version, String status) throws Exception {
        device.publish(AWS + "/things/" + thing + "/shadow/update/documents", MqttDevice.shadowDocument(version, status));
    }

    private static String presence(String thing, long millis) {
        return new JsonObject().put("clientId", thing).put("timestamp", millis).put("eventType", "connected")
                .put("sessionIdentifier", UUID.randomUUID().toString()).put("principalIdentifier", "cert").encode();
    }

    private static String event(String eventId, String type) {
        return new JsonObject().put("eventId", eventId).put("type", type)
                .put("occurredAt", java.time.OffsetDateTime.now().toString()).put("details", new JsonObject()).encode();
    }

    private static String sha256(String code) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
    }
}
