package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.CatchUp;
import dev.appliancesync.support.CommandDevice;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * The command outbox across a crash: a command committed while the broker is down, its service killed (SIGKILL)
 * before it could publish, reaches the device once the broker and the service are back, and its result reaches the
 * issuer's {@code changes}. The service is the packaged application, as its own process, against Debian's mosquitto.
 */
class CommandOutboxIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RESULTS_FILTER = "$share/appliance-sync/appliances/+/command-results";

    private static MosquittoBroker mosquitto;
    private static SharedServices services;
    private static ServiceInstance instance;

    @BeforeAll
    static void start() {
        mosquitto = MosquittoBroker.start();
        services = SharedServices.startWithoutBroker();
        Map<String, String> properties = new LinkedHashMap<>(services.serviceProperties(mosquitto.host(),
                mosquitto.port()));
        // Room for a slow restart on a busy machine: the command must not time out before the device gets it.
        properties.put("appliance-sync.commands.timeout", "120S");
        instance = ServiceInstance.create("commands", properties);
        instance.start();
        instance.awaitSubscribed(RESULTS_FILTER, WAIT);
    }

    @AfterAll
    static void stop() {
        Lifecycle.closeAll(instance, services, mosquitto);
    }

    @Test
    void aCommandCommittedWhileTheBrokerIsDownReachesTheDeviceOnceAfterACrashAndItsResultTheIssuer()
            throws Exception {
        ClusterUser operator = ClusterUser.of(services, "operator", List.of("admin"));
        ClusterUser owner = ClusterUser.of(services, "owner");
        owner.signIn(instance);
        String applianceId = owner.claimAppliance(instance, operator, "MINI_OVEN");
        String thingName = owner.data(instance, "query($a: ID!) { appliance(id: $a) { thingName } }",
                Map.of("a", applianceId)).path("data.appliance.thingName");

        // The broker is down: the command commits (PENDING) but cannot be published.
        mosquitto.close();
        Map<String, String> receipt = owner.data(instance, """
                mutation($a: ID!) { sendCommand(applianceId: $a, command: START) { id status } }""",
                Map.of("a", applianceId)).path("data.sendCommand");
        String commandId = receipt.get("id");
        assertThat(receipt.get("status")).isEqualTo("PENDING");
        assertThat(status(commandId)).isEqualTo("PENDING");

        // The service dies before any publish could succeed; the broker comes back, and the device subscribes.
        instance.kill();
        mosquitto.startAgain();
        try (CommandDevice device = CommandDevice.subscribed(mosquitto.host(), mosquitto.port(), thingName)) {
            instance.start(); // a new process: only the database remembers the command
            instance.awaitSubscribed(RESULTS_FILTER, WAIT);

            JsonObject command = device.nextToAct(WAIT);
            assertThat(command.getString("commandId")).isEqualTo(commandId);
            assertThat(command.getString("command")).isEqualTo("START");
            device.answer(commandId, "SUCCEEDED", new JsonObject().put("started", true), null);

            BiFunction<String, Map<String, Object>, Response> issuer = (query, variables) -> instance.graphql(
                    owner.token(), query, variables);
            await().atMost(WAIT).until(() -> !CatchUp.ofCommand(CatchUp.all(issuer), "COMMAND_SUCCEEDED", commandId)
                    .isEmpty());
            List<JsonObject> entries = CatchUp.all(issuer);
            assertThat(CatchUp.ofCommand(entries, "COMMAND_ISSUED", commandId)).hasSize(1);
            List<JsonObject> succeeded = CatchUp.ofCommand(entries, "COMMAND_SUCCEEDED", commandId);
            assertThat(succeeded).hasSize(1);
            assertThat(succeeded.getFirst().getJsonObject("data").getJsonObject("result").getBoolean("started"))
                    .isTrue();
            assertThat(status(commandId)).isEqualTo("SUCCEEDED");
            // Published by the relay of the new process, after at least the request's own failed attempt.
            assertThat(publishAttempts(commandId)).isGreaterThanOrEqualTo(2);
            // At least once is the contract; here exactly one publish reached a broker, and the device acted once.
            assertThat(device.deliveriesOf(commandId)).isEqualTo(1);
        }
    }

    private static String status(String commandId) throws Exception {
        return column("status", commandId);
    }

    private static int publishAttempts(String commandId) throws Exception {
        return Integer.parseInt(column("publish_attempts", commandId));
    }

    private static String column(String column, String commandId) throws Exception {
        try (Connection db = services.database();
                PreparedStatement query = db.prepareStatement("select " + column + " from command where id = ?")) {
            query.setObject(1, UUID.fromString(commandId));
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).as("command %s exists", commandId).isTrue();
                return row.getString(1);
            }
        }
    }
}
