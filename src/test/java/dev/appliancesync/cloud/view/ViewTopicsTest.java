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
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeSignal;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.cloud.topics.AppTopics.Channel;
import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeSignal;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

/**
 * The view topics end to end: a device publishes on its own topics (embedded HiveMQ), the service stores and logs it
 * (PostgreSQL), the relay publishes the view, and app connections subscribed as IoT Core would let them read it.
 */
@QuarkusTest
class ViewTopicsTest {

    private static final Duration WAIT = ViewRelayProbe.WAIT;
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
    @Inject
    DeviceStateService states;

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
        ViewRelay second = new ViewRelay(db, log, signal, cursor, placements, publisher, config, vertx,
                new ServiceMetrics(metrics), "second-instance");
        try (AppConnection app = AppConnection.connect("eu-west-1:" + UUID.randomUUID() + "-phone").subscribe(status);
                MqttDevice device = MqttDevice.connectToEmbeddedBroker()) {
            // An instance holds the lease and dies: nobody else may publish until its lease runs out.
            holdLeaseAsDeadInstance();
            assertThat(second.runOnce().await().atMost(WAIT)).isZero();
            assertThat(database.strings("select holder from view_relay_cursor")).containsExactly("dead-instance");

            List<String> positions = new ArrayList<>();
            for (int version = 1; version <= 5; version++) { // one at a time: five entries, not one batch's newest
                device.publish(shadowTopic(thing), MqttDevice.shadowDocument(version, "step " + version));
                positions.clear();
                positions.addAll(probe().loggedStates(oven.id(), version));
            }
            assertThat(positions).hasSize(5);
            assertThat(app.on(status)).as("published while the dead instance held the lease").isEmpty();

            // Its lease runs out: the live instances race for it (the service's own relay and a second one).
            database.count("""
                    with expired as (update view_relay_cursor set lease_until = now() where holder = 'dead-instance'
                        returning 1) select count(*) from expired""");
            await().atMost(WAIT).until(() -> {
                second.runOnce().await().atMost(WAIT);
                return ViewRelayProbe.cursorsOf(app.on(status)).containsAll(positions);
            });
            assertThat(database.strings("select holder from view_relay_cursor")).doesNotContain("dead-instance");
            assertInLogOrder(app.on(status));
            // The cursor moved past every entry published (the relay moves it only after the broker's PUBACKs).
            await().atMost(WAIT).until(() -> !probe().cursor().isBefore(Cursors.parse(positions.getLast())));
        } finally {
            releaseLease();
        }
    }

    @Test
    void aCursorBehindTheRetentionHorizonSkipsToItAndCountsIt() throws Exception {
        User owner = User.signedIn("retention");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String thing = thingName(owner, oven.id());
        String status = AppTopics.ofThing(thing, Channel.STATUS);
        double skipsBefore = metrics.get("appliance_sync.view.retention_skips").counter().count();
        try (AppConnection app = AppConnection.connect("eu-west-1:" + UUID.randomUUID() + "-phone").subscribe(status);
                MqttDevice device = MqttDevice.connectToEmbeddedBroker()) {
            holdLeaseAsDeadInstance();
            device.publish(shadowTopic(thing), MqttDevice.shadowDocument(1, "forgotten"));
            String forgotten = probe().loggedStates(oven.id(), 1).getFirst();
            // Retention runs while nobody publishes: every entry so far is deleted, the horizon moves past them.
            assertThat(log.forgetOlderThan(db.reads(), Duration.ZERO).await().atMost(WAIT)).isPositive();
            assertThat(probe().cursor().isBefore(Cursors.parse(forgotten))).isTrue();

            releaseLease();
            await().atMost(WAIT).until(() -> metrics.get("appliance_sync.view.retention_skips").counter().count()
                    > skipsBefore && !probe().cursor().isBefore(Cursors.parse(forgotten)));
            device.publish(shadowTopic(thing), MqttDevice.shadowDocument(2, "after"));
            await().atMost(WAIT).until(() -> versions(app.on(status)).contains(2L));
            assertThat(versions(app.on(status))).as("deleted before it was published: never").containsExactly(2L);
        } finally {
            releaseLease();
        }
    }

    /**
     * A burst larger than a page (1,000 entries in one transaction, pages of 200): every entry is published once the
     * broker has them all, in log order across page boundaries, and no faster than the pace allows. Prints how long
     * it took, commit to the last message.
     */
    @Test
    void aBurstLargerThanAPageArrivesWholeAndInLogOrder() throws Exception {
        User owner = User.signedIn("burst");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String status = AppTopics.ofThing(thingName(owner, oven.id()), Channel.STATUS);
        UUID applianceId = UUID.fromString(oven.id());
        int burst = 1_000;
        List<DeviceStateService.Report> reports = new ArrayList<>();
        for (int i = 0; i < burst; i++) { // one shadow each: every report is stored and logged
            reports.add(new DeviceStateService.Report(applianceId, "burst-" + i, new JsonObject().put("i", i),
                    new JsonObject(), 1, OffsetDateTime.now()));
        }
        try (AppConnection app = AppConnection.connect("eu-west-1:" + UUID.randomUUID() + "-tablet").subscribe(status)) {
            double failedBefore = probe().failedPasses();
            long started = System.nanoTime();
            assertThat(db.inTransaction(tx -> states.record(tx, reports)).await().atMost(WAIT)).isEqualTo(burst);
            await().atMost(Duration.ofSeconds(60)).until(() -> Set.copyOf(ViewRelayProbe.cursorsOf(app.on(status)))
                    .size() == burst);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("View relay: %d entries, commit to the last message received: %d ms%n", burst, millis);
            // Paced: beyond the first tenth of a second's worth, none goes out before its slot at the configured pace
            // (the test configuration's, application.properties).
            int pace = config.maxPerSecond();
            assertThat(millis).isGreaterThanOrEqualTo((burst - pace / 10) * 1000L / pace);
            List<String> logged = database.strings("""
                    select tx_id::text || '.' || seq from change_log
                    where appliance_id = $1::uuid and type = 'DEVICE_STATE' order by tx_id, seq""", oven.id());
            assertThat(Set.copyOf(ViewRelayProbe.cursorsOf(app.on(status)))).containsExactlyInAnyOrderElementsOf(logged);
            assertInLogOrder(app.on(status));
            assertThat(probe().failedPasses()).as("every page went through the first time").isEqualTo(failedBefore);
        }
    }

    private void holdLeaseAsDeadInstance() {
        database.count("""
                with dead as (update view_relay_cursor set holder = 'dead-instance',
                    lease_until = now() + interval '1 hour' returning 1) select count(*) from dead""");
    }

    private void releaseLease() {
        database.count("""
                with freed as (update view_relay_cursor set lease_until = now() returning 1)
                select count(*) from freed""");
    }

    private ViewRelayProbe probe() {
        return new ViewRelayProbe(database, metrics);
    }

    private static void assertInLogOrder(List<JsonObject> messages) {
        List<Cursors.Position> order = messages.stream()
                .map(m -> Cursors.parse(m.getString("cursor"))).toList();
        for (int i = 1; i < order.size(); i++) {
            // Equal only for a repeat (a page published again): at least once, never backwards past it.
            assertThat(order.get(i).isBefore(order.get(i - 1)) && !order.subList(0, i).contains(order.get(i)))
                    .as("message %d came before an earlier entry: %s", i, order).isFalse();
        }
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
