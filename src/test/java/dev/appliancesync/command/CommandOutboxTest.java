package dev.appliancesync.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.command.mqtt.DeviceCommandPublisher;
import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.CatchUp;
import dev.appliancesync.support.CommandDevice;
import dev.appliancesync.support.ConfiguredServers;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Commands through the outbox, end to end (GraphQL, PostgreSQL, an MQTT broker, a device client): results and
 * time-outs reach the issuer's {@code changes}, and a publish that fails is made again by the relay. Time-outs and
 * retries are short enough for a test on the ConfiguredServers profile (its broker is where the devices connect).
 */
@QuarkusTest
@TestProfile(ConfiguredServers.class)
class CommandOutboxTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration SLOW_PUBACK = Duration.ofMillis(600);
    private static final String SEND = """
            mutation($a: ID!, $c: DeviceCommand!, $p: JSON) { sendCommand(applianceId: $a, command: $c, params: $p)
              { id status } }""";
    private static final String RECEIPT = "query($c: ID!) { command(id: $c) { status result error } }";

    @Inject
    Database database;

    @Inject
    DeviceCommandPublisher publisher;

    @Inject
    MeterRegistry metrics;

    @Inject
    CommandOutcomes outcomes;

    @Inject
    CommandRelay relay;

    @Test
    void resultsReachTheIssuersChangesAndTheReceiptAndNobodyElses() throws Exception {
        User owner = User.signedIn("issuer");
        User family = User.signedIn("family");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        Appliances.share(owner.token(), oven.id(), family.email(), "FAMILY");
        try (CommandDevice device = device(oven)) {
            String heat = send(owner, oven, "SET_TEMPERATURE", "{\"celsius\":180}", "SENT");
            String start = send(owner, oven, "START", null, "SENT");
            assertThat(device.nextToAct(WAIT).getString("commandId")).isEqualTo(heat);
            assertThat(device.nextToAct(WAIT).getString("commandId")).isEqualTo(start);

            device.answer(heat, "SUCCEEDED", new JsonObject().put("celsius", 180), null);
            device.answer(start, "FAILED", null, "door open");

            await().atMost(WAIT).untilAsserted(() -> GraphQL.post(owner.token(), RECEIPT, Map.of("c", heat)).then()
                    .body("data.command.status", equalTo("SUCCEEDED"))
                    .body("data.command.result", equalTo("{\"celsius\":180}")));
            await().atMost(WAIT).untilAsserted(() -> GraphQL.post(owner.token(), RECEIPT, Map.of("c", start)).then()
                    .body("data.command.status", equalTo("FAILED")).body("data.command.error", equalTo("door open")));

            List<JsonObject> mine = CatchUp.all(owner.token());
            List<JsonObject> succeeded = CatchUp.ofCommand(mine, "COMMAND_SUCCEEDED", heat);
            assertThat(succeeded).hasSize(1);
            assertThat(succeeded.getFirst().getString("applianceId")).isEqualTo(oven.id());
            assertThat(succeeded.getFirst().getJsonObject("data").getJsonObject("result").getInteger("celsius"))
                    .isEqualTo(180);
            List<JsonObject> failed = CatchUp.ofCommand(mine, "COMMAND_FAILED", start);
            assertThat(failed).hasSize(1);
            assertThat(failed.getFirst().getJsonObject("data").getString("error")).isEqualTo("door open");
            assertThat(CatchUp.ofCommand(mine, "COMMAND_ISSUED", heat)).hasSize(1);
            // Each outcome comes after its command was issued, in the one order of the log.
            assertThat(mine.indexOf(succeeded.getFirst()))
                    .isGreaterThan(mine.indexOf(CatchUp.ofCommand(mine, "COMMAND_ISSUED", heat).getFirst()));

            // Someone else who may view the appliance sees its state, not another person's commands.
            List<JsonObject> theirs = CatchUp.all(family.token());
            assertThat(theirs).extracting(e -> e.getString("type")).doesNotContain("COMMAND_ISSUED",
                    "COMMAND_SUCCEEDED", "COMMAND_FAILED");
            assertThat(theirs).extracting(e -> e.getString("type")).contains("SHARE_GRANTED"); // they do read changes
        }
    }

    @Test
    void anUnansweredCommandTimesOutOnceAndALateResultIsDeadLettered() throws Exception {
        User owner = User.signedIn("waiter");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        double timedOutBefore = counter("appliance_sync.commands.timed_out");
        try (CommandDevice device = device(oven)) {
            String commandId = send(owner, oven, "STOP", null, "SENT");
            JsonObject delivered = device.nextToAct(WAIT);
            assertThat(delivered.getString("commandId")).isEqualTo(commandId);
            assertThat(delivered.getString("expiresAt")).as("the device is told when it stops counting").isNotNull();

            // No answer: after the time-out (5 s here) it is TIMED_OUT, and the issuer hears of it once.
            await().atMost(WAIT).untilAsserted(() -> GraphQL.post(owner.token(), RECEIPT, Map.of("c", commandId))
                    .then().body("errors", nullValue()).body("data.command.status", equalTo("TIMED_OUT"))
                    .body("data.command.error", equalTo("No result from the device before the time-out")));
            List<JsonObject> timedOut = CatchUp.ofCommand(CatchUp.all(owner.token()), "COMMAND_TIMED_OUT", commandId);
            assertThat(timedOut).hasSize(1);
            assertThat(timedOut.getFirst().getJsonObject("data").getBoolean("sent")).isTrue();
            assertThat(counter("appliance_sync.commands.timed_out")).isGreaterThanOrEqualTo(timedOutBefore + 1);

            // The device answers too late: the time-out stands, the answer is dead-lettered with the reason.
            long before = database.count("select count(*) from dead_letter where reason = 'COMMAND_CLOSED'");
            device.answer(commandId, "SUCCEEDED", null, null);
            await().atMost(WAIT).until(() ->
                    database.count("select count(*) from dead_letter where reason = 'COMMAND_CLOSED'") > before);
            GraphQL.post(owner.token(), RECEIPT, Map.of("c", commandId)).then()
                    .body("data.command.status", equalTo("TIMED_OUT"));
            assertThat(CatchUp.ofCommand(CatchUp.all(owner.token()), "COMMAND_TIMED_OUT", commandId)).hasSize(1);
            assertThat(CatchUp.ofCommand(CatchUp.all(owner.token()), "COMMAND_SUCCEEDED", commandId)).isEmpty();
        }
    }

    /**
     * Instances race to close one command: its result arrives while several time-out passes run at once (and the
     * relay's own). Whichever wins, the command closes once, and the issuer hears of exactly that outcome.
     */
    @Test
    void aResultRacingSeveralTimeOutPassesClosesTheCommandExactlyOnce() throws Exception {
        User owner = User.signedIn("racer");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        try (CommandDevice device = device(oven)) {
            String commandId = send(owner, oven, "CALIBRATE", null, "SENT");
            device.nextToAct(WAIT);
            // Its time is up now, though no pass has looked yet (the relay's, 200 ms apart, may join the race).
            assertThat(database.count("""
                    with due as (update command set expires_at = now() where id = $1::uuid returning 1)
                    select count(*) from due""", commandId)).isEqualTo(1);

            List<Uni<Object>> racers = new java.util.ArrayList<>();
            racers.add(outcomes.recordResult(java.util.UUID.fromString(commandId), oven.serialNumber(), "SUCCEEDED",
                    null, null).map(applied -> (Object) applied));
            for (int pass = 0; pass < 4; pass++) {
                racers.add(outcomes.timeOutExpired(100).map(count -> (Object) count));
            }
            Uni.join().all(racers).andFailFast().await().atMost(WAIT);

            String status = GraphQL.post(owner.token(), RECEIPT, Map.of("c", commandId)).then()
                    .extract().path("data.command.status");
            assertThat(status).isIn("SUCCEEDED", "TIMED_OUT");
            List<JsonObject> mine = CatchUp.all(owner.token());
            assertThat(CatchUp.ofCommand(mine, "COMMAND_" + status, commandId)).hasSize(1);
            assertThat(CatchUp.ofCommand(mine, "COMMAND_SUCCEEDED", commandId).size()
                    + CatchUp.ofCommand(mine, "COMMAND_TIMED_OUT", commandId).size()).isEqualTo(1);
        }
    }

    @Test
    void aCommandWhosePublishFailsIsPublishedByTheRelayOnce() throws Exception {
        User owner = User.signedIn("patient");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        DeviceCommandPublisher real = (DeviceCommandPublisher) ((ClientProxy) publisher).arc_contextualInstance();
        FailingFirst flaky = new FailingFirst(real, oven.serialNumber(), 2);
        QuarkusMock.installMockForType(flaky, DeviceCommandPublisher.class);
        double failedBefore = counter("appliance_sync.commands.publish_failed");
        try (CommandDevice device = device(oven)) {
            // The request's own publish fails: the command is kept, PENDING, with the reason.
            String commandId = send(owner, oven, "START", null, "PENDING");
            GraphQL.post(owner.token(), RECEIPT, Map.of("c", commandId)).then()
                    .body("data.command.error", org.hamcrest.Matchers.startsWith("Not delivered to the broker yet"));

            // The relay's first retry fails too, its second goes out; the device gets the command. Four passes at a
            // time stand for as many instances (the timer's own pass joins them): each due row goes to one of them.
            await().atMost(WAIT).until(() -> {
                Uni.join().all(List.of(relay.runOnce(), relay.runOnce(), relay.runOnce(), relay.runOnce()))
                        .andFailFast().await().atMost(WAIT);
                return database.count("select count(*) from command where id = $1::uuid and status = 'SENT'",
                        commandId) == 1;
            });
            assertThat(device.nextToAct(WAIT).getString("commandId")).isEqualTo(commandId);
            GraphQL.post(owner.token(), RECEIPT, Map.of("c", commandId)).then()
                    .body("data.command.status", equalTo("SENT")).body("data.command.error", nullValue());
            assertThat(flaky.attempts.get()).isEqualTo(3);
            assertThat(counter("appliance_sync.commands.publish_failed")).isEqualTo(failedBefore + 2);
            assertThat(database.count("select publish_attempts from command where id = $1::uuid", commandId))
                    .isEqualTo(3);

            // Published once: a later command on the same topic arrives after any other copy of the first would have
            // (one publisher, one topic, QoS 1: in order), and the first was delivered exactly once before it.
            String marker = send(owner, oven, "STOP", null, "SENT");
            assertThat(device.nextToAct(WAIT).getString("commandId")).isEqualTo(marker);
            assertThat(device.deliveriesOf(commandId)).isEqualTo(1);
            assertThat(flaky.attempts.get()).isEqualTo(4);
        }
    }

    private double counter(String name) {
        return metrics.get(name).counter().count(); // registered at start: a renamed counter fails here
    }

    private static CommandDevice device(Appliances.Claimed appliance) throws Exception {
        EmbeddedMqttBroker broker = ConfiguredServers.broker();
        return CommandDevice.subscribed(broker.host(), broker.port(), appliance.serialNumber());
    }

    private static String send(User user, Appliances.Claimed appliance, String command, String params,
            String expectedStatus) {
        java.util.Map<String, Object> variables = new java.util.HashMap<>(Map.of("a", appliance.id(), "c", command));
        variables.put("p", params);
        return GraphQL.post(user.token(), SEND, variables).then().statusCode(200).body("errors", nullValue())
                .body("data.sendCommand.status", equalTo(expectedStatus)).extract().path("data.sendCommand.id");
    }

    /**
     * The real publisher, but the first {@code failures} publishes to one thing fail before reaching the broker, and
     * the later ones take {@link #SLOW_PUBACK} (more than two relay intervals) before they reach it.
     */
    static final class FailingFirst extends DeviceCommandPublisher {
        private final DeviceCommandPublisher real;
        private final String thingName;
        private final int failures;
        final AtomicInteger attempts = new AtomicInteger();

        FailingFirst(DeviceCommandPublisher real, String thingName, int failures) {
            super(null, null);
            this.real = real;
            this.thingName = thingName;
            this.failures = failures;
        }

        @Override
        public Uni<Void> publish(String thing, String payloadJson) {
            if (!thing.equals(thingName)) {
                return real.publish(thing, payloadJson);
            }
            // A slow broker after the failures: a pass that started meanwhile must find the command still held.
            return attempts.incrementAndGet() <= failures
                    ? Uni.createFrom().failure(new IllegalStateException("broker unreachable (test)"))
                    : Uni.createFrom().voidItem().onItem().delayIt().by(SLOW_PUBACK)
                            .chain(() -> real.publish(thing, payloadJson));
        }
    }
}
