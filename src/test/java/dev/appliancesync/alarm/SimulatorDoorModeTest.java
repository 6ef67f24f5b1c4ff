package dev.appliancesync.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedServices;
import dev.appliancesync.simulator.DeviceSimulator;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The simulator's door mode drives the alarm as docs/alarms.md tells a developer to try it, scaled down: the first
 * fridge holds its door open longer than a short rule and raises an alarm, cleared when it closes; the second closes
 * in time and raises nothing.
 */
@QuarkusTest
class SimulatorDoorModeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Database database;

    @Test
    void theFirstFridgeLeavesItsDoorOpenPastTheRuleAndTheSecondClosesInTime() throws Exception {
        String prefix = "DOOR" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
        String ruleId = GraphQL.post(Appliances.operatorToken(),
                        "mutation($r: AlarmRuleInput!) { createAlarmRule(rule: $r) { id } }",
                        Map.of("r", Map.of("name", "sim door " + prefix, "applianceTypes", List.of("FRIDGE"),
                                "attribute", "DoorOpened", "equals", "true", "durationSeconds", 2)))
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.createAlarmRule.id");
        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        // 7 devices: SIM-00002 is the first fridge (door open 5 s), SIM-00007 the second (open 1 s).
        DeviceSimulator simulator = new DeviceSimulator(DeviceSimulator.Options.parse("--host=" + broker.host(),
                "--port=" + broker.port(), "--provision", "--aws-prefix=aws", "--thing-prefix=" + prefix,
                "--devices=7", "--rate=35", "--duration=14", "--presence=0", "--events=0", "--door-open=5"));
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                simulator.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            String first = DeviceSimulator.thingName(prefix, 2);
            String second = DeviceSimulator.thingName(prefix, 7);
            await().atMost(WAIT).until(() -> alarmEntries(first, "ALARM_RAISED") == 1);
            await().atMost(WAIT).until(() -> alarmEntries(first, "ALARM_CLEARED") == 1);
            run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(database.count("select count(*) from device_state s join appliance a on a.id = s.appliance_id "
                    + "where a.thing_name = $1 and s.reported ? 'DoorOpened'", second)).isOne();
            assertThat(alarmEntries(second, "ALARM_RAISED")).isZero();
        } finally {
            GraphQL.post(Appliances.operatorToken(), "mutation($i: ID!) { deleteAlarmRule(id: $i) { id } }",
                    Map.of("i", ruleId)).then().body("errors", nullValue());
            run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private long alarmEntries(String thing, String type) {
        return database.count("select count(*) from change_log c join appliance a on a.id = c.appliance_id "
                + "where a.thing_name = $1 and c.type = $2", thing, type);
    }
}
