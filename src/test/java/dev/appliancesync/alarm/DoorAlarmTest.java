package dev.appliancesync.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.CatchUp;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The seed's door alarm end to end, with a short rule: real shadow updates over MQTT, the timer in PostgreSQL, the
 * alarm on the owner's `changes` (over a WebSocket) and on the fridge's own alarm topic (a real MQTT subscriber).
 */
@QuarkusTest
class DoorAlarmTest {

    private static final Duration RULE = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String CHANGES = "subscription { changes { type applianceId data } }";
    private static final String CREATE = """
            mutation($r: AlarmRuleInput!) { createAlarmRule(rule: $r) { id name durationSeconds equals } }""";
    private static final String OPEN_ALARMS = """
            query($a: ID) { alarms(applianceId: $a) { alarms { id applianceId rule since raisedAt } hasMore } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Database database;

    @Inject
    MeterRegistry metrics;

    private MqttDevice fridge;
    private String ruleId;
    private final BlockingQueue<JsonObject> alarmMessages = new LinkedBlockingQueue<>();

    @BeforeEach
    void shortRule() throws Exception {
        fridge = MqttDevice.connectToEmbeddedBroker();
        // The default rule (10 minutes) keeps counting alongside; in a test only this one falls due.
        ruleId = GraphQL.post(Appliances.operatorToken(), CREATE, Map.of("r", Map.of("name",
                        "test door " + UUID.randomUUID(), "applianceTypes", List.of("FRIDGE"),
                        "attribute", "DoorOpened", "equals", "true", "durationSeconds", RULE.toSeconds())))
                .then().statusCode(200).body("errors", nullValue())
                .body("data.createAlarmRule.equals", equalTo("true")).extract().path("data.createAlarmRule.id");
    }

    @AfterEach
    void removeRule() {
        GraphQL.post(Appliances.operatorToken(), "mutation($i: ID!) { deleteAlarmRule(id: $i) { id } }",
                Map.of("i", ruleId)).then().statusCode(200).body("errors", nullValue());
        fridge.close();
    }

    @Test
    void aDoorOpenPastTheDurationRaisesOneAlarmForViewersAndTheDeviceAndClosingClearsIt() throws Exception {
        User owner = User.signedIn("fridge-owner");
        User family = User.signedIn("fridge-family");
        User guest = User.signedIn("fridge-guest");
        Appliances.Claimed claimed = Appliances.claimed(owner.token(), "FRIDGE");
        Appliances.share(owner.token(), claimed.id(), family.email(), "FAMILY");
        Appliances.share(owner.token(), claimed.id(), guest.email(), "GUEST"); // FRIDGE guests see nothing
        String thing = claimed.serialNumber();
        fridge.subscribe("appliances/" + thing + "/alarms",
                payload -> alarmMessages.add(new JsonObject(new String(payload, StandardCharsets.UTF_8))));

        try (GraphQLWebSocket ownerWs = GraphQLWebSocket.connected(graphql, owner.token());
                GraphQLWebSocket guestWs = GraphQLWebSocket.connected(graphql, guest.token())) {
            ownerWs.subscribe("c", CHANGES);
            guestWs.subscribe("c", CHANGES);
            firstItem(ownerWs);
            firstItem(guestWs);

            door(thing, 1, true);
            JsonObject raised = next(ownerWs, "ALARM_RAISED", claimed.id());
            assertThat(raised.getString("ruleId")).isEqualTo(ruleId);
            assertThat(Duration.between(OffsetDateTime.parse(raised.getString("since")),
                    OffsetDateTime.parse(raised.getString("raisedAt")))).isGreaterThanOrEqualTo(RULE);
            assertThat(raised.getString("clearedAt")).isNull();
            JsonObject raisedMessage = nextMessage();
            assertThat(raisedMessage.getString("event")).isEqualTo("RAISED");
            assertThat(raisedMessage.getString("alarmId")).isEqualTo(raised.getString("alarmId"));
            assertThat(raisedMessage.getString("messageId")).isNotBlank();

            GraphQL.post(owner.token(), OPEN_ALARMS, Map.of("a", claimed.id())).then().body("errors", nullValue())
                    .body("data.alarms.alarms", hasSize(1))
                    .body("data.alarms.alarms[0].id", equalTo(raised.getString("alarmId")));
            GraphQL.post(family.token(), OPEN_ALARMS, Map.of()).then().body("errors", nullValue())
                    .body("data.alarms.alarms.id", org.hamcrest.Matchers.hasItem(raised.getString("alarmId")));
            GraphQL.post(guest.token(), OPEN_ALARMS, Map.of("a", claimed.id())).then()
                    .body("errors[0].extensions.code", equalTo("NOT_FOUND"));

            door(thing, 2, true); // still open, reported again: the alarm stays the one alarm
            door(thing, 3, false);
            JsonObject cleared = next(ownerWs, "ALARM_CLEARED", claimed.id());
            assertThat(cleared.getString("alarmId")).isEqualTo(raised.getString("alarmId"));
            assertThat(cleared.getString("clearedAt")).isNotNull();
            JsonObject clearedMessage = nextMessage();
            assertThat(clearedMessage.getString("event")).isEqualTo("CLEARED");
            assertThat(clearedMessage.getString("alarmId")).isEqualTo(raised.getString("alarmId"));

            // Exactly one of each, for the owner and the family alike, in the log; none for the guest, live or not.
            for (User viewer : List.of(owner, family)) {
                List<JsonObject> mine = ofAppliance(CatchUp.all(viewer.token()), claimed.id());
                assertThat(types(mine, "ALARM_RAISED")).as(viewer.username()).isEqualTo(1);
                assertThat(types(mine, "ALARM_CLEARED")).as(viewer.username()).isEqualTo(1);
            }
            assertThat(ofAppliance(CatchUp.all(guest.token()), claimed.id())).isEmpty();
            // The guest may hear of its own share (SHARE_CLOUD_SYNC, whenever the reconciler gets to it), never alarms.
            List<String> heardByGuest = new java.util.ArrayList<>();
            for (var message = guestWs.pollMessage("c", Duration.ZERO); message.isPresent();
                    message = guestWs.pollMessage("c", Duration.ZERO)) {
                heardByGuest.add(message.get().getJsonObject("payload").getJsonObject("data")
                        .getJsonObject("changes").getString("type"));
            }
            assertThat(heardByGuest).noneMatch(type -> type.startsWith("ALARM_"));
            GraphQL.post(owner.token(), OPEN_ALARMS, Map.of("a", claimed.id())).then().body("errors", nullValue())
                    .body("data.alarms.alarms", hasSize(0));
        }
        assertThat(database.count("select count(*) from alarm_message where thing_name = $1", thing)).isZero();
    }

    @Test
    void aDoorClosedInTimeRaisesNothing() throws Exception {
        User owner = User.signedIn("quick-closer");
        Appliances.Claimed claimed = Appliances.claimed(owner.token(), "FRIDGE");
        UUID id = UUID.fromString(claimed.id());
        String thing = claimed.serialNumber();
        fridge.subscribe("appliances/" + thing + "/alarms",
                payload -> alarmMessages.add(new JsonObject(new String(payload, StandardCharsets.UTF_8))));

        door(thing, 1, true);
        await().atMost(WAIT).until(() -> database.count(
                "select count(*) from alarm where appliance_id = $1 and rule_id = $2", id, UUID.fromString(ruleId)) == 1);
        Instant deadline = Instant.now().plus(RULE);
        door(thing, 2, false);
        await().atMost(WAIT).until(() -> database.count("select count(*) from alarm where appliance_id = $1", id) == 0);

        // The deadline passes, then a whole scheduler pass runs after it: had the timer survived, it would have raised.
        await().atMost(WAIT).until(() -> Instant.now().isAfter(deadline));
        double passes = counter("appliance_sync.alarms.scheduler_passes");
        await().atMost(WAIT).until(() -> counter("appliance_sync.alarms.scheduler_passes") >= passes + 2);

        assertThat(database.count("select count(*) from change_log where appliance_id = $1 and type like 'ALARM_%'",
                id)).isZero();
        assertThat(alarmMessages.poll(0, TimeUnit.MILLISECONDS)).isNull();
    }

    private double counter(String name) {
        return metrics.get(name).counter().count();
    }

    /** IoT Core's update/documents of the fridge's classic shadow, reporting the door. */
    private void door(String thing, long version, boolean open) throws Exception {
        JsonObject current = new JsonObject().put("state", new JsonObject().put("reported",
                new JsonObject().put("DoorOpened", open).put("RunningMode", "ECO").put("version", version)))
                .put("metadata", new JsonObject()).put("version", version);
        fridge.publish("aws/things/" + thing + "/shadow/update/documents", new JsonObject()
                .put("previous", new JsonObject().put("state", new JsonObject()).put("version", version - 1))
                .put("current", current).put("timestamp", System.currentTimeMillis() / 1000).encode());
    }

    private static void firstItem(GraphQLWebSocket ws) throws InterruptedException {
        assertThat(ws.nextData("c").getJsonObject("changes").getString("type")).isEqualTo("SUBSCRIBED");
    }

    /** The data of the next change of {@code type} about the appliance, skipping others (its states). */
    private static JsonObject next(GraphQLWebSocket ws, String type, String applianceId) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            JsonObject change = ws.nextData("c").getJsonObject("changes");
            if (type.equals(change.getString("type")) && applianceId.equals(change.getString("applianceId"))) {
                return new JsonObject(change.getString("data"));
            }
        }
        throw new AssertionError("No " + type + " within " + WAIT);
    }

    private JsonObject nextMessage() throws InterruptedException {
        JsonObject message = alarmMessages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(message).as("a message on the fridge's alarm topic").isNotNull();
        return message;
    }

    private static List<JsonObject> ofAppliance(List<JsonObject> entries, String applianceId) {
        return entries.stream().filter(e -> applianceId.equals(e.getString("applianceId"))
                && e.getString("type").startsWith("ALARM_")).toList();
    }

    private static long types(List<JsonObject> entries, String type) {
        return entries.stream().filter(e -> type.equals(e.getString("type"))).count();
    }
}
