package dev.appliancesync.cloud.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.cloud.topics.AppTopics.Channel;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.mqtt.BrokerUnavailableException;
import dev.appliancesync.realtime.ChangeLog;
import dev.appliancesync.realtime.ChangeSignal;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

/**
 * The view topics end to end: a device publishes on its own topics (embedded HiveMQ), the service stores and logs it
 * (PostgreSQL), the relay publishes the view, and app connections subscribed as IoT Core would let them read it.
 */
@QuarkusTest
@TestProfile(ViewTopicsTest.FastRelay.class)
class ViewTopicsTest {

    /** A short interval and lease, so that a take-over happens within a test. */
    public static class FastRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("appliance-sync.cloud.view.interval", "200MS", "appliance-sync.cloud.view.lease", "3S");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The test profile spells IoT Core's reserved topics without the '$' (HiveMQ refuses '$' publishes). */
    private static final String AWS = "aws";

    @Inject
    Database database;
    @Inject
    Transactions db;
    @Inject
    ChangeLog log;
    @Inject
    ChangeSignal signal;
    @Inject
    ViewCursor cursor;
    @Inject
    AppliancePlacements placements;
    @Inject
    ViewPublisher publisher;
    @Inject
    ViewConfig config;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry metrics;

    @Test
    void eachConnectionOfAUserReadsStatusWithoutDesiredAndSettingsWithItThenTheHouseholdsToo() throws Exception {
        User owner = User.signedIn("viewer");
        User guest = User.signedIn("guest");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        Appliances.share(owner.token(), oven.id(), guest.email(), "GUEST");
        String thing = thingName(owner, oven.id());
        JsonObject household = ok(GraphQL.post(owner.token(),
                "mutation { createHousehold(name: \"Home\") { id thingPrefix } }")).getJsonObject("createHousehold");
        String prefix = household.getString("thingPrefix");

        // What an app is told to subscribe to: exactly the channels its capabilities open, the guest status only.
        assertThat(iotTopics(owner, oven.id())).containsExactly(AppTopics.ofThing(thing, Channel.STATUS),
                AppTopics.ofThing(thing, Channel.SETTINGS));
        assertThat(iotTopics(guest, oven.id())).containsExactly(AppTopics.ofThing(thing, Channel.STATUS));

        String identity = "eu-west-1:" + UUID.randomUUID();
        String status = AppTopics.ofThing(thing, Channel.STATUS);
        String settings = AppTopics.ofThing(thing, Channel.SETTINGS);
        try (AppConnection phone = AppConnection.connect(identity + "-phone");
                AppConnection tablet = AppConnection.connect(identity + "-tablet");
                MqttDevice device = MqttDevice.connectToEmbeddedBroker()) {
            for (AppConnection app : List.of(phone, tablet)) {
                app.subscribe(status, settings, AppTopics.householdChannel(prefix, Channel.STATUS) + "#",
                        AppTopics.householdChannel(prefix, Channel.SETTINGS) + "#");
            }

            device.publish(shadowTopic(thing), MqttDevice.shadowDocument(1, "idle"));
            device.publish(shadowTopic(thing), shadowWithoutDesired(2, "heating"));
            device.publish(AWS + "/events/presence/connected/" + thing, presence(thing));
            device.publish("appliances/" + thing + "/events", new JsonObject().put("eventId", "door-1")
                    .put("type", "DOOR_LEFT_OPEN").put("occurredAt", OffsetDateTime.now().toString())
                    .put("details", new JsonObject()).encode());
            device.publish(shadowTopic(thing), MqttDevice.shadowDocument(3, "baking"));

            for (AppConnection app : List.of(phone, tablet)) {
                await().atMost(WAIT).until(() -> versions(app.on(settings)).contains(3L)
                        && versions(app.on(status)).contains(3L));
                List<JsonObject> seen = app.on(status);
                // Status: every state, never desired; the same shape as a `changes` item.
                JsonObject first = stateOf(seen, 1);
                assertThat(first.getString("cursor")).matches("\\d+\\.\\d+");
                assertThat(first.getString("applianceId")).isEqualTo(oven.id());
                assertThat(first.getString("at")).isNotBlank();
                assertThat(first.getJsonObject("data").getJsonObject("reported").getString("status")).isEqualTo("idle");
                assertThat(first.getJsonObject("data").containsKey("desired")).isFalse();
                assertThat(stateOf(seen, 2).getJsonObject("data").getJsonObject("reported").getString("status"))
                        .isEqualTo("heating");
                assertThat(seen).filteredOn(m -> m.getString("type").equals("DEVICE_PRESENCE")).singleElement()
                        .satisfies(m -> assertThat(m.getJsonObject("data").getBoolean("online")).isTrue());
                assertThat(seen).filteredOn(m -> m.getString("type").equals("DEVICE_EVENT")).singleElement()
                        .satisfies(m -> assertThat(m.getJsonObject("data").getString("type"))
                                .isEqualTo("DOOR_LEFT_OPEN"));
                assertThat(seen).allSatisfy(m -> assertThat(m.getJsonObject("data").containsKey("desired")).isFalse());
                assertInLogOrder(seen);

                // Settings: the states with desired settings, whole; the one without none (3 came after it).
                assertThat(versions(app.on(settings))).containsExactly(1L, 3L);
                assertThat(stateOf(app.on(settings), 1).getJsonObject("data").getJsonObject("desired")
                        .getInteger("targetCelsius")).isEqualTo(200);
                assertThat(app.under(AppTopics.HOUSEHOLDS)).as("not in a household yet").isEmpty();
            }

            // Into the household: its topics carry the appliance's messages too, under its thing name as it is now.
            String moved = ok(GraphQL.post(owner.token(), """
                    mutation($a: ID!, $h: ID) { assignApplianceToHousehold(applianceId: $a, householdId: $h) {
                      thingName } }""", Map.of("a", oven.id(), "h", household.getString("id"))))
                    .getJsonObject("assignApplianceToHousehold").getString("thingName");
            device.publish(shadowTopic(moved), MqttDevice.shadowDocument(4, "done"));
            String householdStatus = AppTopics.ofHousehold(prefix, Channel.STATUS, moved);
            String householdSettings = AppTopics.ofHousehold(prefix, Channel.SETTINGS, moved);
            for (AppConnection app : List.of(phone, tablet)) {
                await().atMost(WAIT).until(() -> versions(app.on(householdSettings)).contains(4L)
                        && versions(app.on(householdStatus)).contains(4L));
                assertThat(stateOf(app.on(householdStatus), 4).getJsonObject("data").containsKey("desired")).isFalse();
                assertThat(stateOf(app.on(householdSettings), 4).getJsonObject("data").getJsonObject("desired"))
                        .isNotNull();
                assertThat(app.under(AppTopics.HOUSEHOLDS)).extracting(AppConnection.Received::topic)
                        .containsOnly(householdStatus, householdSettings);
            }
            assertThat(phone.connected() && tablet.connected()).as("the second connection kept the first").isTrue();
            assertThat(iotTopics(owner, oven.id())).contains(householdStatus, householdSettings);
        }
    }

    @Test
    void whenTheHoldersLeaseRunsOutAnotherInstanceGoesOnFromTheCursorWithoutGaps() throws Exception {
        User owner = User.signedIn("failover");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = thingName(owner, oven.id());
        String status = AppTopics.ofThing(thing, Channel.STATUS);
        ViewRelay second = new ViewRelay(db, log, signal, cursor, placements, publisher, config, vertx, metrics,
                "second-instance");
        try (AppConnection app = AppConnection.connect("eu-west-1:" + UUID.randomUUID() + "-phone").subscribe(status);
                MqttDevice device = MqttDevice.connectToEmbeddedBroker()) {
            // An instance holds the lease and dies: nobody else may publish until its lease runs out.
            database.count("""
                    with dead as (update view_relay_cursor set holder = 'dead-instance',
                        lease_until = now() + interval '1 hour' returning 1) select count(*) from dead""");
            assertThat(second.runOnce().await().atMost(WAIT)).isZero();
            assertThat(database.strings("select holder from view_relay_cursor")).containsExactly("dead-instance");

            List<String> positions = new ArrayList<>();
            for (int version = 1; version <= 5; version++) { // one at a time: five entries, not one batch's newest
                device.publish(shadowTopic(thing), MqttDevice.shadowDocument(version, "step " + version));
                positions.clear();
                positions.addAll(awaitLogged(oven.id(), version));
            }
            assertThat(positions).hasSize(5);
            assertThat(app.on(status)).as("published while the dead instance held the lease").isEmpty();

            // Its lease runs out: the live instances race for it (the service's own relay and a second one).
            database.count("""
                    with expired as (update view_relay_cursor set lease_until = now() where holder = 'dead-instance'
                        returning 1) select count(*) from expired""");
            await().atMost(WAIT).until(() -> {
                second.runOnce().await().atMost(WAIT);
                return cursorsOf(app.on(status)).containsAll(positions);
            });
            assertThat(database.strings("select holder from view_relay_cursor")).doesNotContain("dead-instance");
            assertInLogOrder(app.on(status));
            // The cursor moved past every entry published (the relay moves it only after the broker's PUBACKs).
            await().atMost(WAIT).until(() -> !cursorPosition().isBefore(position(positions.getLast())));
        } finally {
            database.count("""
                    with freed as (update view_relay_cursor set lease_until = now() returning 1)
                    select count(*) from freed""");
        }
    }

    @Test
    void whileTheBrokerRefusesThePageTheCursorStaysAndThePageIsPublishedAfter() throws Exception {
        User owner = User.signedIn("outage");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = thingName(owner, oven.id());
        String status = AppTopics.ofThing(thing, Channel.STATUS);
        ViewPublisher real = (ViewPublisher) ((ClientProxy) publisher).arc_contextualInstance();
        BrokerAway away = new BrokerAway(real);
        QuarkusMock.installMockForType(away, ViewPublisher.class);
        double failedPasses = metrics.get("appliance_sync.view.failed_passes").counter().count();
        try (AppConnection app = AppConnection.connect("eu-west-1:" + UUID.randomUUID() + "-tablet").subscribe(status);
                MqttDevice device = MqttDevice.connectToEmbeddedBroker()) {
            device.publish(shadowTopic(thing), MqttDevice.shadowDocument(1, "while away"));
            String position = awaitLogged(oven.id(), 1L).getFirst();

            // The relay tried that page, the broker did not acknowledge it: the cursor is still before it.
            await().atMost(WAIT).until(() -> away.refused.stream().anyMatch(topics -> topics.contains(status)));
            await().atMost(WAIT).until(() -> metrics.get("appliance_sync.view.failed_passes").counter().count()
                    > failedPasses);
            assertThat(cursorPosition().isBefore(position(position))).isTrue();
            assertThat(app.on(status)).isEmpty();
            await().atMost(WAIT).until(() -> lag() > 0); // the entry waits, and the lag says so

            away.back.set(true);
            await().atMost(WAIT).until(() -> cursorsOf(app.on(status)).contains(position));
            await().atMost(WAIT).until(() -> !cursorPosition().isBefore(position(position)));
            await().atMost(WAIT).until(() -> lag() == 0);
        }
    }

    /** The real publisher, except that the broker acknowledges nothing until {@link #back}. */
    static final class BrokerAway extends ViewPublisher {
        private final ViewPublisher real;
        final AtomicBoolean back = new AtomicBoolean();
        final List<Set<String>> refused = new CopyOnWriteArrayList<>();

        BrokerAway(ViewPublisher real) {
            super(null, null);
            this.real = real;
        }

        @Override
        public Uni<Void> publish(List<ViewMessage> messages) {
            if (back.get()) {
                return real.publish(messages);
            }
            refused.add(new TreeSet<>(messages.stream().map(ViewMessage::topic).toList()));
            return Uni.createFrom().failure(new BrokerUnavailableException("Not connected to the MQTT broker (test)"));
        }
    }

    private double lag() {
        return metrics.get("appliance_sync.view.lag").gauge().value();
    }

    /**
     * The positions of the appliance's DEVICE_STATE entries once the state of {@code version} is logged (ingestion
     * keeps only the newest of several reports of one shadow in a batch, so there may be fewer than versions).
     */
    private List<String> awaitLogged(String applianceId, long version) {
        await().atMost(WAIT).until(() -> database.count("""
                select count(*) from change_log where appliance_id = $1::uuid and type = 'DEVICE_STATE'
                and (payload ->> 'version')::bigint = $2""", applianceId, version) == 1);
        return database.strings("""
                select tx_id::text || '.' || seq from change_log
                where appliance_id = $1::uuid and type = 'DEVICE_STATE' order by tx_id, seq""", applianceId);
    }

    private dev.appliancesync.realtime.Cursors.Position cursorPosition() {
        List<String> at = database.strings(
                "select coalesce(tx_id::text || '.' || seq, '0.0') from view_relay_cursor");
        return position(at.getFirst());
    }

    private static dev.appliancesync.realtime.Cursors.Position position(String cursor) {
        return dev.appliancesync.realtime.Cursors.parse(cursor);
    }

    private static void assertInLogOrder(List<JsonObject> messages) {
        List<dev.appliancesync.realtime.Cursors.Position> order = messages.stream()
                .map(m -> position(m.getString("cursor"))).toList();
        for (int i = 1; i < order.size(); i++) {
            // Equal only for a repeat (a page published again): at least once, never backwards past it.
            assertThat(order.get(i).isBefore(order.get(i - 1)) && !order.subList(0, i).contains(order.get(i)))
                    .as("message %d came before an earlier entry: %s", i, order).isFalse();
        }
    }

    private static List<String> cursorsOf(List<JsonObject> messages) {
        return messages.stream().map(m -> m.getString("cursor")).toList();
    }

    private static List<Long> versions(List<JsonObject> messages) {
        return messages.stream().filter(m -> m.getString("type").equals("DEVICE_STATE"))
                .map(m -> m.getJsonObject("data").getLong("version")).distinct().toList();
    }

    private static JsonObject stateOf(List<JsonObject> messages, long version) {
        return messages.stream().filter(m -> m.getString("type").equals("DEVICE_STATE")
                && m.getJsonObject("data").getLong("version") == version).findFirst().orElseThrow();
    }

    private static String thingName(User user, String applianceId) {
        return ok(GraphQL.post(user.token(), "query($a: ID!) { appliance(id: $a) { thingName } }",
                Map.of("a", applianceId))).getJsonObject("appliance").getString("thingName");
    }

    private static List<String> iotTopics(User user, String applianceId) {
        JsonArray topics = ok(GraphQL.post(user.token(), "query($a: ID!) { appliance(id: $a) { iotTopics } }",
                Map.of("a", applianceId))).getJsonObject("appliance").getJsonArray("iotTopics");
        return topics.stream().map(String::valueOf).toList();
    }

    private static JsonObject ok(io.restassured.response.Response response) {
        response.then().statusCode(200).body("errors", nullValue());
        return new JsonObject(response.asString()).getJsonObject("data");
    }

    private static String shadowTopic(String thing) {
        return AWS + "/things/" + thing + "/shadow/update/documents";
    }

    private static String shadowWithoutDesired(long version, String status) {
        JsonObject current = new JsonObject()
                .put("state", new JsonObject().put("reported", new JsonObject().put("status", status)))
                .put("metadata", new JsonObject()).put("version", version);
        return new JsonObject().put("previous", new JsonObject().put("state", new JsonObject()).put("version", version - 1))
                .put("current", current).put("timestamp", System.currentTimeMillis() / 1000).encode();
    }

    private static String presence(String thing) {
        return new JsonObject().put("clientId", thing).put("timestamp", System.currentTimeMillis())
                .put("eventType", "connected").put("sessionIdentifier", UUID.randomUUID().toString())
                .put("principalIdentifier", "cert").encode();
    }
}
