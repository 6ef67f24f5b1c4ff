package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.MqttDevice;
import io.vertx.core.json.JsonObject;

/**
 * Alarm timers are rows in PostgreSQL, not timers in a process: with two packaged instances on one database and
 * Debian's mosquitto, a door left open raises one alarm (one entry, one alarm on the topic), and when an instance
 * is killed (SIGKILL) mid-timer, the other raises it on time, within the documented tolerance
 * (the poll interval, plus slack for a loaded machine); a killed instance started again raises nothing twice; and a
 * timer outlives every instance being killed and one started again: it is raised on time.
 */
class AlarmTimersIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(500);
    /** The documented tolerance is the poll interval; the rest is room for a busy shared machine. */
    private static final double TOLERANCE_SECONDS = POLL.toMillis() / 1000.0 + 1.5;

    private static MosquittoBroker mosquitto;
    private static SharedServices services;
    private static ServiceInstance a;
    private static ServiceInstance b;
    private static ClusterUser operator;

    @BeforeAll
    static void startCluster() {
        mosquitto = MosquittoBroker.start();
        services = SharedServices.startWithoutBroker();
        Map<String, String> properties = mosquitto.serviceProperties(services);
        properties.put("appliance-sync.alarms.poll-interval", POLL.toMillis() + "MS");
        a = ServiceInstance.create("alarms-a", properties);
        b = ServiceInstance.create("alarms-b", properties);
        ServiceInstance.startAll(a, b);
        operator = ClusterUser.of(services, "operator", List.of("admin"));
    }

    @AfterAll
    static void stopCluster() {
        Lifecycle.closeAll(b, a, services, mosquitto);
    }

    @BeforeEach
    void bothInstancesRun() {
        for (ServiceInstance instance : List.of(a, b)) {
            if (!instance.isRunning()) {
                instance.start();
            }
        }
        for (ServiceInstance instance : List.of(a, b)) {
            instance.awaitSubscribed("$aws/things/+/shadow/update/documents", WAIT);
        }
    }

    @Test
    void twoInstancesRaiseADoorLeftOpenOnce() throws Exception {
        String rule = rule(3);
        Fridge fridge = fridge();
        List<JsonObject> messages = new CopyOnWriteArrayList<>();
        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port())) {
            device.subscribe("appliances/" + fridge.thing() + "/alarms",
                    payload -> messages.add(new JsonObject(new String(payload, StandardCharsets.UTF_8))));
            door(device, fridge.thing(), 1, true);
            await().atMost(WAIT).until(() -> raisedAt(fridge.id(), rule) != null);
            await().atMost(WAIT).until(() -> !messages.isEmpty());

            assertThat(count("select count(*) from change_log where appliance_id = ? and type = 'ALARM_RAISED'",
                    fridge.id())).isOne();
            assertThat(messages.stream().map(m -> m.getString("alarmId")).distinct()).hasSize(1);
            assertThat(messages.getFirst().getString("event")).isEqualTo("RAISED");
            assertThat(lateness(fridge.id(), rule)).isBetween(0.0, TOLERANCE_SECONDS);
        } finally {
            deleteRule(rule);
        }
    }

    @Test
    void anInstanceKilledMidTimerLeavesItToTheOtherWhichRaisesItOnTime() throws Exception {
        String rule = rule(8);
        Fridge fridge = fridge();
        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port())) {
            door(device, fridge.thing(), 1, true);
            await().atMost(WAIT).until(() -> count("select count(*) from alarm where appliance_id = ? and rule_id = ?",
                    fridge.id(), UUID.fromString(rule)) == 1);
        }
        a.kill(); // the timer lives on in the database; b's polls find it
        await().atMost(WAIT).until(() -> raisedAt(fridge.id(), rule) != null);
        assertThat(lateness(fridge.id(), rule)).isBetween(0.0, TOLERANCE_SECONDS);

        // Both killed, one started again: the open alarm stays the one alarm, nothing is raised twice.
        b.kill();
        a.start();
        a.awaitSubscribed("$aws/things/+/shadow/update/documents", WAIT);
        double passes = a.counter("appliance_sync_alarms_scheduler_passes_total");
        await().atMost(WAIT).until(() -> a.counter("appliance_sync_alarms_scheduler_passes_total") >= passes + 2);
        assertThat(count("select count(*) from change_log where appliance_id = ? and type = 'ALARM_RAISED'",
                fridge.id())).isOne();
        deleteRule(rule);
    }

    @Test
    void aTimerOutlivesARestartOfEveryInstanceAndIsRaisedOnTime() throws Exception {
        String rule = rule(20);
        Fridge fridge = fridge();
        try (MqttDevice device = MqttDevice.connect(mosquitto.host(), mosquitto.port())) {
            door(device, fridge.thing(), 1, true);
            await().atMost(WAIT).until(() -> count("select count(*) from alarm where appliance_id = ? and rule_id = ?",
                    fridge.id(), UUID.fromString(rule)) == 1);
        }
        // No process holds the timer any more: it is only a row until an instance comes back.
        a.kill();
        b.kill();
        a.start();
        a.awaitSubscribed("$aws/things/+/shadow/update/documents", WAIT);
        double readyAfterDeadline = Double.parseDouble(strings("select extract(epoch from now() - due_at) from alarm "
                + "where appliance_id = ? and rule_id = ?", fridge.id(), UUID.fromString(rule)).getFirst());
        System.out.printf("Instance ready %.3f s %s the deadline%n", Math.abs(readyAfterDeadline),
                readyAfterDeadline < 0 ? "before" : "after");

        await().atMost(WAIT).until(() -> raisedAt(fridge.id(), rule) != null);
        // On time if the instance was back before the deadline; at once (within the tolerance) if it was not.
        assertThat(lateness(fridge.id(), rule)).isBetween(0.0, Math.max(0, readyAfterDeadline) + TOLERANCE_SECONDS);
        assertThat(count("select count(*) from change_log where appliance_id = ? and type = 'ALARM_RAISED'",
                fridge.id())).isOne();
        deleteRule(rule);
    }

    private record Fridge(UUID id, String thing) {
    }

    private static Fridge fridge() {
        ClusterUser owner = ClusterUser.of(services, "owner");
        owner.signIn(a);
        String id = owner.claimAppliance(a, operator, "FRIDGE");
        String thing = owner.data(a, "query($a: ID!) { appliance(id: $a) { thingName } }", Map.of("a", id))
                .path("data.appliance.thingName");
        return new Fridge(UUID.fromString(id), thing);
    }

    private static String rule(int seconds) {
        return operator.data(a, "mutation($r: AlarmRuleInput!) { createAlarmRule(rule: $r) { id } }",
                Map.of("r", Map.of("name", "door " + UUID.randomUUID(), "applianceTypes", List.of("FRIDGE"),
                        "attribute", "DoorOpened", "equals", "true", "durationSeconds", seconds)))
                .path("data.createAlarmRule.id");
    }

    private static void deleteRule(String rule) {
        ServiceInstance running = a.isRunning() ? a : b;
        operator.data(running, "mutation($i: ID!) { deleteAlarmRule(id: $i) { id } }", Map.of("i", rule));
    }

    private static void door(MqttDevice device, String thing, long version, boolean open) throws Exception {
        JsonObject current = new JsonObject().put("state", new JsonObject().put("reported",
                new JsonObject().put("DoorOpened", open))).put("metadata", new JsonObject()).put("version", version);
        device.publish("$aws/things/" + thing + "/shadow/update/documents", new JsonObject()
                .put("previous", new JsonObject().put("state", new JsonObject()).put("version", version - 1))
                .put("current", current).put("timestamp", System.currentTimeMillis() / 1000).encode());
    }

    private static String raisedAt(UUID appliance, String rule) throws Exception {
        List<String> values = strings("select raised_at::text from alarm where appliance_id = ? and rule_id = ?",
                appliance, UUID.fromString(rule));
        return values.isEmpty() ? null : values.getFirst();
    }

    /** How long after its deadline the alarm was raised, in seconds, by the database's clock. */
    private static double lateness(UUID appliance, String rule) throws Exception {
        double late = Double.parseDouble(strings("select extract(epoch from raised_at - due_at) from alarm "
                + "where appliance_id = ? and rule_id = ?", appliance, UUID.fromString(rule)).getFirst());
        System.out.printf("Alarm raised %.3f s after its deadline%n", late);
        return late;
    }

    private static long count(String sql, Object... parameters) throws Exception {
        return Long.parseLong(strings(sql, parameters).getFirst());
    }

    private static List<String> strings(String sql, Object... parameters) throws Exception {
        try (Connection db = services.database(); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }
}
