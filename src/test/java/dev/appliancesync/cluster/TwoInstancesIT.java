package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.MqttDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Two real instances of the packaged service sharing one PostgreSQL, one MQTT broker and one token issuer, as a
 * scaled-out deployment runs: whatever happens through one instance reaches subscribers of the other, an instance
 * restarted under its clients lets them catch up on everything they missed, and device messages are split between
 * the instances by the shared subscription, each processed by one of them only.
 * <p>
 * The broker is Debian's mosquitto, not the embedded HiveMQ: mosquitto hands a shared subscription's messages to its
 * subscribers in turn, one message each (its {@code subs__shared_process}), so whether both instances get a share
 * depends on the service subscribing right, which is what this class tests. HiveMQ CE offers a shared message only
 * to a subscriber it counts as having nothing in flight, and in CI (cff5a84) it gave all 600 messages of the burst to
 * A after B had restarted twice with its persistent session: the split then said nothing about the service.
 * Mosquitto 2.0 gives shared subscriptions no {@code $} topic, so the instances subscribe to the {@code $aws}
 * filters plainly ({@link MosquittoBroker#serviceProperties}); this class publishes on none of them.
 */
class TwoInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CHANGES = "subscription { changes { cursor type applianceId data } }";
    /** Waits for device messages to be applied; generous, the machine may be busy. */
    private static final Duration INGEST_WAIT = Duration.ofSeconds(60);
    /** Prometheus name of DeviceMessageSource's counter appliance_sync.ingest.messages. */
    private static final String INGESTED = "appliance_sync_ingest_messages_total";
    /** The change {@link #subscribeToChanges} waits for to know the subscription is in place. */
    private static final String MARKER_TYPE = "APPLIANCE_CLAIMED";

    private static MosquittoBroker mosquitto;
    private static SharedServices services;
    private static ServiceInstance a;
    private static ServiceInstance b;
    private static ClusterUser operator;

    @BeforeAll
    static void startCluster() {
        mosquitto = MosquittoBroker.start();
        services = SharedServices.startWithoutBroker();
        a = ServiceInstance.create("a", mosquitto.serviceProperties(services));
        b = ServiceInstance.create("b", mosquitto.serviceProperties(services));
        ServiceInstance.startAll(a, b);
        operator = ClusterUser.of(services, "operator", List.of("admin"));
    }

    @AfterAll
    static void stopCluster() {
        Lifecycle.closeAll(b, a, services, mosquitto);
    }

    /** A test that failed while an instance was down leaves it down; the next one gets both. */
    @BeforeEach
    void bothInstancesRun() {
        for (ServiceInstance instance : List.of(a, b)) {
            if (!instance.isRunning()) {
                instance.start();
            }
        }
    }

    @Test
    void bothInstancesAreReadyAcceptTheSameTokensAndServeHeartbeats() throws Exception {
        ClusterUser carol = ClusterUser.of(services, "carol");
        // One database: the account made by signing in on one instance is the one the other finds.
        assertThat(carol.signIn(b)).isEqualTo(carol.signIn(a));
        for (ServiceInstance instance : List.of(a, b)) {
            try (GraphQLWebSocket ws = GraphQLWebSocket.open(instance.graphqlWebSocket(), Protocol.GRAPHQL_TRANSPORT_WS,
                    null)) {
                assertThat(ws.init(Map.of("Authorization", "Bearer " + carol.token())).getString("type"))
                        .isEqualTo("connection_ack");
                ws.subscribe("1", "subscription { heartbeat(everySeconds: 1) { sequence username } }");
                for (int sequence = 1; sequence <= 2; sequence++) {
                    JsonObject message = ws.nextMessage();
                    assertThat(message.getString("type")).as("%s: %s", instance.name(), message).isEqualTo("next");
                    JsonObject heartbeat = message.getJsonObject("payload").getJsonObject("data")
                            .getJsonObject("heartbeat");
                    assertThat(heartbeat.getInteger("sequence")).isEqualTo(sequence);
                    assertThat(heartbeat.getString("username")).isEqualTo(carol.username());
                }
            }
        }
    }

    @Test
    void aRestartedInstanceClosesItsConnectionsAndServesThemAgainOnTheSamePort() throws Exception {
        ClusterUser dave = ClusterUser.of(services, "dave");
        String id = dave.signIn(b);
        try (GraphQLWebSocket ws = heartbeats(b, dave)) {
            b.stop();
            assertThat(b.isRunning()).isFalse();
            ws.awaitClose(WAIT);
        }
        assertThat(dave.signIn(a)).as("A serves while B is down").isEqualTo(id);

        b.start();
        assertThat(dave.signIn(b)).isEqualTo(id);
        try (GraphQLWebSocket ws = heartbeats(b, dave)) {
            assertThat(ws.nextMessage().getJsonObject("payload").getJsonObject("data").getJsonObject("heartbeat")
                    .getString("username")).isEqualTo(dave.username());
        }
    }

    /** A connection to the instance with a heartbeat subscription that has delivered its first beat. */
    private static GraphQLWebSocket heartbeats(ServiceInstance instance, ClusterUser user) throws Exception {
        return started(instance, user, ws -> {
            ws.subscribe("beats", "subscription { heartbeat(everySeconds: 1) { sequence username } }");
            awaitMessage(ws, "beats");
        });
    }

    /** What a connection's operations do to have started: subscribe, and await their first sign. */
    @FunctionalInterface
    private interface Start {
        void on(GraphQLWebSocket ws) throws Exception;
    }

    /**
     * Connects to the instance as the user (graphql-transport-ws, the token in connection_init) and runs
     * {@code start}; returns the connection once it has, or closes it if it did not.
     */
    private static GraphQLWebSocket started(ServiceInstance instance, ClusterUser user, Start start) throws Exception {
        GraphQLWebSocket ws = GraphQLWebSocket.open(instance.graphqlWebSocket(), Protocol.GRAPHQL_TRANSPORT_WS, null);
        try {
            assertThat(ws.init(Map.of("Authorization", "Bearer " + user.token())).getString("type"))
                    .isEqualTo("connection_ack");
            start.on(ws);
            return ws;
        } catch (Exception | Error e) {
            ws.close();
            throw e;
        }
    }

    @Test
    void aShareMadeThroughOneInstanceReachesASubscriberOfTheOther() throws Exception {
        ClusterUser alice = ClusterUser.of(services, "alice");
        ClusterUser bob = ClusterUser.of(services, "bob");
        alice.signIn(a);
        bob.signIn(b);
        String applianceId = alice.claimAppliance(a, operator, "MINI_OVEN");

        try (GraphQLWebSocket ws = subscribeToChanges(b, bob)) {
            alice.share(a, applianceId, bob, "FAMILY");

            JsonObject granted = awaitChange(ws, ofType("SHARE_GRANTED", applianceId));
            assertThat(granted.getString("cursor")).isNotBlank();
        }
    }

    @Test
    void aSubscriberOfARestartedInstanceCatchesUpOnEverythingItMissedThenGetsLiveChanges() throws Exception {
        ClusterUser alice = ClusterUser.of(services, "alice");
        ClusterUser bob = ClusterUser.of(services, "bob");
        alice.signIn(a);
        bob.signIn(b);
        String applianceId = alice.claimAppliance(a, operator, "MINI_OVEN");

        String lastSeen;
        try (GraphQLWebSocket ws = subscribeToChanges(b, bob)) {
            alice.share(a, applianceId, bob, "FAMILY");
            lastSeen = awaitChange(ws, ofType("SHARE_GRANTED", applianceId)).getString("cursor");

            b.stop();
            ws.awaitClose(WAIT);
        }

        // While B is down, everything happens through A.
        alice.rename(a, applianceId, "Away one");
        alice.rename(a, applianceId, "Away two");
        alice.share(a, applianceId, bob, "GUEST");

        b.start();
        try (GraphQLWebSocket ws = subscribeToChanges(b, bob)) {
            Map<String, JsonObject> missed = catchUp(b, bob, lastSeen);
            missed.values().removeIf(change -> MARKER_TYPE.equals(change.getString("type")));
            // The cloud reconciler's entries come whenever it gets to them; this is about the changes above.
            missed.values().removeIf(change -> "SHARE_CLOUD_SYNC".equals(change.getString("type")));

            assertThat(missed.values()).extracting(change -> change.getString("type"))
                    .as("caught up on %s", missed.values())
                    .containsExactly("APPLIANCE_RENAMED", "APPLIANCE_RENAMED", "SHARE_UPDATED");
            assertThat(missed.values()).extracting(change -> change.getString("applianceId")).containsOnly(applianceId);
            assertThat(missed.values()).extracting(change -> data(change).getString(
                    "SHARE_UPDATED".equals(change.getString("type")) ? "role" : "name"))
                    .containsExactly("Away one", "Away two", "GUEST");

            alice.rename(a, applianceId, "Back again");
            JsonObject live = awaitChange(ws, ofType("APPLIANCE_RENAMED", applianceId)
                    .and(change -> "Back again".equals(data(change).getString("name"))));
            assertThat(missed).doesNotContainKey(live.getString("cursor"));
        }
    }

    /**
     * Many device messages from one real MQTT client: the shared subscription gives each to one instance only (the
     * instances' counters add up to exactly what was published), both get a share, and everything is applied.
     */
    @Test
    void deviceMessagesAreSplitBetweenTheInstancesAndEachIsProcessedOnce() throws Exception {
        int things = 20;
        int eventsPerThing = 20;
        int versionsPerThing = 10;
        String prefix = "LOAD" + UUID.randomUUID().toString().substring(0, 8).toUpperCase() + "-";
        List<String> thingNames = new ArrayList<>();
        for (int i = 0; i < things; i++) {
            thingNames.add(prefix + i);
        }
        String like = prefix + "%";
        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port())) {
            provisionFridges(device, thingNames, prefix);

            // The load: events with distinct ids and telemetry with increasing versions, interleaved.
            double baseA = a.counter(INGESTED);
            double baseB = b.counter(INGESTED);
            int published = 0;
            long started = System.nanoTime();
            for (int round = 1; round <= eventsPerThing; round++) {
                for (String thing : thingNames) {
                    device.publish("appliances/" + thing + "/events", new JsonObject().put("eventId", "e-" + round)
                            .put("type", "DOOR_LEFT_OPEN").put("occurredAt", Instant.now().toString())
                            .put("details", new JsonObject().put("round", round)).encode());
                    published++;
                    if (round <= versionsPerThing) {
                        device.publish("appliances/" + thing + "/state", new JsonObject().put("version", round)
                                .put("reported", new JsonObject().put("temperature", 170 + round))
                                .put("timestamp", Instant.now().getEpochSecond()).encode());
                        published++;
                    }
                }
            }
            int total = published;
            await().atMost(INGEST_WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(count("select count(*) from device_event e join appliance a on a.id = e.appliance_id "
                        + "where a.thing_name like ?", like)).isEqualTo(things * eventsPerThing);
                assertThat(count("select count(*) from device_state s join appliance a on a.id = s.appliance_id "
                        + "where a.thing_name like ? and s.shadow_name = '$telemetry' and s.shadow_version = ?", like,
                        versionsPerThing)).isEqualTo(things);
                assertThat(a.counter(INGESTED) - baseA + b.counter(INGESTED) - baseB).isGreaterThanOrEqualTo(total);
            });
            double byA = a.counter(INGESTED) - baseA;
            double byB = b.counter(INGESTED) - baseB;
            System.out.printf("%d device messages applied in %d ms: %.0f by A, %.0f by B%n", total,
                    (System.nanoTime() - started) / 1_000_000, byA, byB);
            assertThat(byA + byB).as("processed by A (%.0f) and B (%.0f): each message once", byA, byB)
                    .isEqualTo(total);
            assertThat(byA).as("processed by A").isPositive();
            assertThat(byB).as("processed by B").isPositive();
            assertThat(count("select count(*) from dead_letter where topic like ?", "appliances/" + like))
                    .as("dead letters").isZero();
        }
    }

    /**
     * A fleet group's subscribers on both instances hear of every appliance entering it, whichever instance stored the
     * shadow update that moved it: the events are rows in PostgreSQL, and each instance's readers are woken by the
     * other's commits (NOTIFY) as by their own. The shared subscription gives each instance some of the updates.
     */
    @Test
    void aFleetGroupTellsSubscribersOfBothInstancesWhicheverInstanceStoredTheChange() throws Exception {
        int things = 10;
        String prefix = "GROUP" + UUID.randomUUID().toString().substring(0, 8).toUpperCase() + "-";
        Set<String> thingNames = new HashSet<>();
        for (int i = 0; i < things; i++) {
            thingNames.add(prefix + i);
        }
        String groupId = operator.data(a, """
                mutation($n: String!, $q: FleetQuery!) { saveFleetGroup(name: $n, query: $q) { id memberCount } }""",
                Map.of("n", prefix + "open-fridges", "q", Map.of("types", List.of("FRIDGE"), "attributes",
                        List.of(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true))))))
                .path("data.saveFleetGroup.id");
        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port());
                GraphQLWebSocket onA = subscribeToGroup(a, groupId);
                GraphQLWebSocket onB = subscribeToGroup(b, groupId)) {
            provisionFridges(device, thingNames, prefix);

            double baseA = a.counter(INGESTED);
            double baseB = b.counter(INGESTED);
            for (String thing : thingNames) {
                device.publish("appliances/" + thing + "/state", new JsonObject().put("version", 1)
                        .put("reported", new JsonObject().put("DoorOpened", true))
                        .put("timestamp", Instant.now().getEpochSecond()).encode());
            }

            assertThat(entered(onA, prefix, things)).as("entered, told on A").isEqualTo(thingNames);
            assertThat(entered(onB, prefix, things)).as("entered, told on B").isEqualTo(thingNames);
            // Each instance stored some of them: each subscriber heard of updates the other instance stored.
            assertThat(a.counter(INGESTED) - baseA).as("updates stored by A").isPositive();
            assertThat(b.counter(INGESTED) - baseB).as("updates stored by B").isPositive();
        } finally {
            operator.data(a, "mutation($id: ID!) { deleteFleetGroup(id: $id) }", Map.of("id", groupId));
        }
    }

    /**
     * Once both instances subscribe to device messages, has each device announce itself as a fridge (so that its
     * messages have an appliance to go to) and waits until all of them are stored.
     */
    private static void provisionFridges(MqttDevice device, Collection<String> thingNames, String prefix)
            throws Exception {
        // Ready only means connected: wait for the subscriptions, or early messages would go to one instance.
        for (ServiceInstance instance : List.of(a, b)) {
            for (String topic : List.of("provisioned", "events", "state")) {
                instance.awaitSubscribed("$share/appliance-sync/appliances/+/" + topic, INGEST_WAIT);
            }
        }
        for (String thing : thingNames) {
            device.publish("appliances/" + thing + "/provisioned", new JsonObject().put("serialNumber", thing)
                    .put("type", "FRIDGE").put("firmwareVersion", "1.0.0").put("claimCodeHash", sha256(thing))
                    .encode());
        }
        await().atMost(INGEST_WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(
                count("select count(*) from appliance where thing_name like ?", prefix + "%"))
                .isEqualTo(thingNames.size()));
    }

    /** Subscribes the operator to a fleet group's changes; returns once it has said SUBSCRIBED. */
    private static GraphQLWebSocket subscribeToGroup(ServiceInstance instance, String groupId) throws Exception {
        return started(instance, operator, ws -> {
            ws.subscribe("group", "subscription($g: ID!) { fleetGroupChanged(groupId: $g) { kind thingName } }",
                    Map.of("g", groupId));
            assertThat(groupChange(ws).getString("kind")).isEqualTo("SUBSCRIBED");
        });
    }

    /** The things of {@code prefix} the subscription says ENTERED, once {@code expected} of them have. */
    private static Set<String> entered(GraphQLWebSocket ws, String prefix, int expected) throws InterruptedException {
        Set<String> entered = new HashSet<>();
        long deadline = System.nanoTime() + INGEST_WAIT.toNanos();
        while (entered.size() < expected && System.nanoTime() < deadline) {
            JsonObject change = groupChange(ws, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            String thing = change.getString("thingName");
            if (thing != null && thing.startsWith(prefix)) {
                assertThat(change.getString("kind")).as("%s", change).isEqualTo("ENTERED");
                assertThat(entered.add(thing)).as("%s told once", thing).isTrue();
            }
        }
        return entered;
    }

    private static JsonObject groupChange(GraphQLWebSocket ws) throws InterruptedException {
        return groupChange(ws, WAIT);
    }

    private static JsonObject groupChange(GraphQLWebSocket ws, Duration wait) throws InterruptedException {
        JsonObject message = ws.nextMessage(wait);
        assertThat(message.getString("id")).as("%s", message).isEqualTo("group");
        assertThat(message.getString("type")).as("%s", message).isEqualTo("next");
        return message.getJsonObject("payload").getJsonObject("data").getJsonObject("fleetGroupChanged");
    }

    private static long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = services.database(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Pages {@code changes(since:)} until hasMore is false, two at a time so that paging itself is exercised;
     * returns every change once, by cursor, in the order first seen.
     */
    private static Map<String, JsonObject> catchUp(ServiceInstance instance, ClusterUser user, String since) {
        Map<String, JsonObject> seen = new LinkedHashMap<>();
        String cursor = since;
        for (int page = 0; page < 50; page++) {
            Map<String, Object> variables = new LinkedHashMap<>();
            variables.put("since", cursor);
            JsonObject result = new JsonObject(user.data(instance, """
                    query($since: String) { changes(since: $since, limit: 2) {
                      changes { cursor type applianceId data } cursor hasMore } }""", variables)
                    .body().asString()).getJsonObject("data").getJsonObject("changes");
            JsonArray changes = result.getJsonArray("changes");
            for (int i = 0; i < changes.size(); i++) {
                JsonObject change = changes.getJsonObject(i);
                seen.putIfAbsent(change.getString("cursor"), change);
            }
            if (result.getString("cursor") != null) {
                cursor = result.getString("cursor");
            }
            if (!result.getBoolean("hasMore")) {
                return seen;
            }
        }
        throw new AssertionError("hasMore still true after 50 pages: " + seen.keySet());
    }

    /** Connects to the instance as the user and subscribes to changes; returns once the subscription has started. */
    private static GraphQLWebSocket subscribeToChanges(ServiceInstance instance, ClusterUser user) throws Exception {
        return started(instance, user, ws -> {
            ws.subscribe("changes", CHANGES);
            // In place once it delivers a change made after subscribing (the user claims an appliance of their own):
            // delivery follows the log's order, so everything committed later reaches it too.
            String marker = user.claimAppliance(instance, operator, "GENERIC");
            awaitChange(ws, ofType(MARKER_TYPE, marker));
        });
    }

    private static JsonObject awaitMessage(GraphQLWebSocket ws, String id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonObject message = ws.nextMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (id.equals(message.getString("id"))) {
                assertThat(message.getString("type")).as("%s", message).isEqualTo("next");
                return message;
            }
        }
    }

    /** The first change of the changes subscription that matches, waiting at most {@link #WAIT} in all. */
    private static JsonObject awaitChange(GraphQLWebSocket ws, Predicate<JsonObject> matches)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<JsonObject> others = new ArrayList<>();
        while (true) {
            JsonObject message;
            try {
                message = ws.nextMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (AssertionError timeout) {
                throw new AssertionError("No matching change within " + WAIT + "; received " + others, timeout);
            }
            if (!"changes".equals(message.getString("id"))) {
                continue;
            }
            assertThat(message.getString("type")).as("%s", message).isEqualTo("next");
            JsonObject change = message.getJsonObject("payload").getJsonObject("data").getJsonObject("changes");
            if (matches.test(change)) {
                return change;
            }
            others.add(change);
        }
    }

    /** A change's data: the JSON scalar is a JSON object in a string. */
    private static JsonObject data(JsonObject change) {
        return new JsonObject(change.getString("data"));
    }

    private static Predicate<JsonObject> ofType(String type, String applianceId) {
        return change -> type.equals(change.getString("type")) && applianceId.equals(change.getString("applianceId"));
    }
}
