package dev.appliancesync.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** A device's answer on its command-results topic, through the service's MQTT connection to the command's record. */
@QuarkusTest
class CommandResultsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SEND = """
            mutation($id: ID!) { sendCommand(applianceId: $id, command: START) { id status } }""";

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
    void aResultCompletesItsCommandAndAMalformedOneIsDeadLettered() throws Exception {
        User owner = User.signedIn("owner");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String commandId = GraphQL.post(owner.token(), SEND, Map.of("id", oven.id())).then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.sendCommand.id");
        String topic = "appliances/" + oven.serialNumber() + "/command-results";

        device.publish(topic, new JsonObject().put("commandId", commandId).put("status", "SUCCEEDED")
                .put("result", new JsonObject().put("started", true)).encode());
        String marker = "not-a-status-" + UUID.randomUUID();
        device.publish(topic, new JsonObject().put("commandId", commandId).put("status", marker).encode());

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(database.strings("select status || ' ' || (result ->> 'started') from command where id = $1",
                    UUID.fromString(commandId))).containsExactly("SUCCEEDED true");
            assertThat(deadLetterReasons(topic, marker)).containsExactly("WRONG_SHAPE");
        });
    }

    /**
     * A result names its command by id, and only the command's own thing may answer it: an id sent to another thing, or
     * one that was never sent, closes nothing and is dead-lettered as UNKNOWN_COMMAND.
     */
    @Test
    void aResultForAnotherThingsCommandOrForNoCommandClosesNothing() throws Exception {
        User owner = User.signedIn("owner-of-two");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        Appliances.Claimed other = Appliances.claimed(owner.token(), "MINI_OVEN");
        String commandId = GraphQL.post(owner.token(), SEND, Map.of("id", oven.id())).then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.sendCommand.id");
        String neverSent = UUID.randomUUID().toString();
        String otherTopic = "appliances/" + other.serialNumber() + "/command-results";

        device.publish(otherTopic, new JsonObject().put("commandId", commandId).put("status", "SUCCEEDED").encode());
        device.publish(otherTopic, new JsonObject().put("commandId", neverSent).put("status", "FAILED").encode());

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deadLetterReasons(otherTopic, commandId)).containsExactly("UNKNOWN_COMMAND");
            assertThat(deadLetterReasons(otherTopic, neverSent)).containsExactly("UNKNOWN_COMMAND");
        });
        assertThat(database.strings("select status from command where id = $1", UUID.fromString(commandId)))
                .as("still open: only its own thing can close it").containsAnyOf("PENDING", "SENT").hasSize(1);
    }

    /** The reasons of the dead letters on {@code topic} whose payload contains {@code marker}. */
    private List<String> deadLetterReasons(String topic, String marker) {
        return database.strings("select reason from dead_letter where topic = $1 and position($2::bytea in payload) > 0",
                topic, marker.getBytes(StandardCharsets.UTF_8));
    }
}
