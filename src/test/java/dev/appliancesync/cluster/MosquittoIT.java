package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.MqttDevice;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * Device ingestion against another broker than the embedded HiveMQ: Debian's mosquitto, as a process of its own. The
 * packaged service runs in the prod profile, so it subscribes to IoT Core's real topic names ({@code $aws/...}), and a
 * device client publishes to exactly those, which mosquitto allows and HiveMQ does not.
 * <p>
 * One deviation from production, forced by mosquitto 2.0 (Debian 12 ships 2.0.11): it never delivers a message on a
 * {@code $} topic to a shared subscription ({@code $share/<group>/$aws/...} gets nothing, see
 * {@link #mosquittoLetsClientsPublishToAwsTopicsButSharedSubscriptionsNeverGetThem}), so this instance subscribes to
 * the {@code $aws} filters plainly ({@code appliance-sync.ingest.share-reserved-topics=false}). One instance needs no
 * sharing; the {@code appliances/...} filters keep theirs.
 */
class MosquittoIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Prometheus name of DeviceMessageSource's counter appliance_sync.ingest.messages. */
    private static final String INGESTED = "appliance_sync_ingest_messages_total";
    /** The prod profile's other device subscriptions, shared as in production. */
    private static final List<String> SHARED_FILTERS = List.of("$share/appliance-sync/appliances/+/state",
            "$share/appliance-sync/appliances/+/provisioned", "$share/appliance-sync/appliances/+/events");

    private static MosquittoBroker mosquitto;
    private static SharedServices services;
    private static ServiceInstance instance;
    private static ClusterUser operator;

    @BeforeAll
    static void start() {
        mosquitto = MosquittoBroker.start();
        services = SharedServices.startWithoutBroker();
        // Plain subscriptions to the $aws filters: mosquitto 2.0 gives shared ones no '$' topic (see the class comment).
        instance = ServiceInstance.create("mosquitto", mosquitto.serviceProperties(services));
        instance.start();
        // Ready means connected; wait for the subscriptions too, or the first messages would go to nobody.
        for (String filter : MosquittoBroker.AWS_FILTERS) {
            instance.awaitSubscribed(filter, WAIT);
        }
        for (String filter : SHARED_FILTERS) {
            instance.awaitSubscribed(filter, WAIT);
        }
        operator = ClusterUser.of(services, "operator", List.of("admin"));
    }

    @AfterAll
    static void stop() {
        Lifecycle.closeAll(instance, services, mosquitto);
    }

    /**
     * mosquitto accepts a client's publish to {@code $aws/...} (PUBACK, the client stays connected) and delivers it to a
     * plain subscription, but never to a shared one: 2.0 files {@code $share/<group>/<filter>} under the tree of
     * topics that do not start with '$'. A message on an ordinary topic, published after it, shows that the shared
     * subscription got nothing before it.
     */
    @Test
    void mosquittoLetsClientsPublishToAwsTopicsButSharedSubscriptionsNeverGetThem() throws Exception {
        String probe = "PROBE-" + UUID.randomUUID().toString().substring(0, 8);
        // Not a device topic: the instance's own (plain) $aws subscriptions do not match it.
        String awsTopic = "$aws/things/" + probe + "/shadow/probe";
        String marker = "appliances/" + probe + "/marker";
        Vertx vertx = Vertx.vertx();
        List<MqttClient> clients = new ArrayList<>();
        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port())) {
            BlockingQueue<String> plain = subscriber(vertx, clients, "$aws/things/" + probe + "/#");
            BlockingQueue<String> shared = subscriber(vertx, clients, "$share/probe/$aws/things/" + probe + "/#",
                    "$share/probe/appliances/" + probe + "/#");

            device.publish(awsTopic, "{\"probe\":1}"); // returns on PUBACK
            device.publish(awsTopic, "{\"probe\":2}"); // the device is still connected
            device.publish(marker, "{}");

            assertThat(plain.poll(10, TimeUnit.SECONDS)).isEqualTo(awsTopic + " {\"probe\":1}");
            assertThat(plain.poll(10, TimeUnit.SECONDS)).isEqualTo(awsTopic + " {\"probe\":2}");
            assertThat(shared.poll(10, TimeUnit.SECONDS)).as("first message of the shared subscription")
                    .isEqualTo(marker + " {}");
        } finally {
            for (MqttClient client : clients) {
                client.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A client subscribed (SUBACK received) to the filters at QoS 1; its messages as "topic payload". */
    private static BlockingQueue<String> subscriber(Vertx vertx, List<MqttClient> clients, String... filters)
            throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("observer-" + UUID.randomUUID()));
        clients.add(client);
        client.publishHandler(message -> received.add(message.topicName() + " " + message.payload()));
        CompletableFuture<List<Integer>> subAck = new CompletableFuture<>();
        client.subscribeCompletionHandler(ack -> subAck.complete(ack.grantedQoSLevels()));
        client.connect(mosquitto.port(), mosquitto.host()).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String filter : filters) {
            topics.put(filter, MqttQoS.AT_LEAST_ONCE.value());
        }
        client.subscribe(topics).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(subAck.get(10, TimeUnit.SECONDS)).as("granted QoS of %s", topics.keySet())
                .containsOnly(MqttQoS.AT_LEAST_ONCE.value());
        return received;
    }

    @Test
    void shadowPresenceAndEventsOnProductionTopicsAreAppliedAndMalformedOnesDeadLettered() throws Exception {
        String serial = "MOSQ-" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject provisioned = new JsonObject(operator.data(instance, """
                mutation($s: String!) { provisionAppliance(serialNumber: $s, type: MINI_OVEN, claimCode: "mosquitto-claim-code") {
                  id thingName } }""", Map.of("s", serial)).body().asString())
                .getJsonObject("data").getJsonObject("provisionAppliance");
        UUID applianceId = UUID.fromString(provisioned.getString("id"));
        String thing = provisioned.getString("thingName");
        long now = Instant.now().toEpochMilli();
        double received = instance.counter(INGESTED);
        String shadowTopic = "$aws/things/" + thing + "/shadow/update/documents";
        String eventsTopic = "appliances/" + thing + "/events";

        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port())) {
            device.publish(shadowTopic, new JsonObject()
                    .put("previous", new JsonObject().put("state", new JsonObject()).put("version", 2))
                    .put("current", new JsonObject().put("state", new JsonObject()
                            .put("reported", new JsonObject().put("mode", "baking").put("temperature", 200))
                            .put("desired", new JsonObject().put("temperature", 200))).put("version", 3))
                    .put("timestamp", now / 1000).encode());
            device.publish("$aws/events/presence/connected/" + thing, new JsonObject().put("clientId", thing)
                    .put("timestamp", now).put("eventType", "connected").put("sessionIdentifier", UUID.randomUUID().toString())
                    .put("principalIdentifier", "cert-hash").put("versionNumber", 0).encode());
            device.publish(eventsTopic, new JsonObject().put("eventId", "evt-1").put("type", "DOOR_LEFT_OPEN")
                    .put("occurredAt", Instant.ofEpochMilli(now).toString())
                    .put("details", new JsonObject().put("seconds", 90)).encode());
            // Malformed: not JSON on the shadow topic, an event without its id.
            device.publish(shadowTopic, "this is not json");
            device.publish(eventsTopic, new JsonObject().put("type", "DOOR_LEFT_OPEN").encode());
        }

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(strings("select shadow_version || ' ' || (reported ->> 'mode') || ' ' || (desired ->> 'temperature') "
                    + "from device_state where appliance_id = ? and shadow_name = ''", applianceId))
                    .containsExactly("3 baking 200");
            assertThat(strings("select online || ' ' || (extract(epoch from event_at) * 1000)::bigint "
                    + "from device_presence where appliance_id = ?", applianceId)).containsExactly("true " + now);
            assertThat(strings("select event_id || ' ' || event_type || ' ' || (payload ->> 'seconds') "
                    + "from device_event where appliance_id = ?", applianceId)).containsExactly("evt-1 DOOR_LEFT_OPEN 90");
            assertThat(strings("select topic || ' ' || reason from dead_letter where topic in (?, ?) order by id",
                    shadowTopic, eventsTopic)).containsExactlyInAnyOrder(shadowTopic + " INVALID_JSON",
                            eventsTopic + " WRONG_SHAPE");
        });
        assertThat(instance.counter(INGESTED) - received).as("messages received").isEqualTo(5);
    }

    /** The first column of every row, as text. */
    private static List<String> strings(String sql, Object... parameters) throws SQLException {
        try (Connection connection = services.database(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    values.add(result.getString(1));
                }
            }
            return values;
        }
    }
}
