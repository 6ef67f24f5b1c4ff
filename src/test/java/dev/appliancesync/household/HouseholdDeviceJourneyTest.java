package dev.appliancesync.household;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.PolicyBoundDevice;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Issue 15's "done when": a device that behaves as IoT Core lets it (client id = its thing name, only its own topics)
 * announces itself, is claimed, moved into a household and out again; at every step a command reaches it on
 * {@code appliances/T/commands}, its answer on its own results topic completes the command, and the state it reports
 * reaches the owner (and, while the appliance is in the household, a member). Its thing name never changes.
 */
@QuarkusTest
class HouseholdDeviceJourneyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { version reported } }""";
    private static final String THING_NAME = "query($a: ID!) { appliance(id: $a) { thingName household { id } } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Database database;

    private long version;

    @Test
    void aPolicyBoundDeviceKeepsWorkingWhenClaimedMovedIntoAHouseholdAndOut() throws Exception {
        String thing = "SN-" + UUID.randomUUID().toString().substring(0, 13);
        String code = "code-" + UUID.randomUUID().toString().substring(0, 8);
        User owner = User.signedIn("owner");
        User member = User.signedIn("member");
        try (PolicyBoundDevice device = PolicyBoundDevice.connect(thing);
                GraphQLWebSocket ownerState = GraphQLWebSocket.connected(graphql, owner.token())) {
            device.announce(thing, "COOKER", code, "1.0.0");
            await().atMost(WAIT).until(() -> database.count("select count(*) from appliance where serial_number = $1",
                    thing) == 1);

            // Claimed.
            String appliance = GraphQL.post(owner.token(), """
                    mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { id thingName } }""",
                    Map.of("s", thing, "c", code)).then().statusCode(200).body("errors", nullValue())
                    .body("data.claimAppliance.thingName", equalTo(thing)).extract().path("data.claimAppliance.id");
            ownerState.subscribe("state", STATE_OF, Map.of("a", appliance));
            commandRoundTrip(owner, appliance, device);
            reportAndSee(device, "claimed", ownerState);

            // Moved into a household: same thing name, commands and state as before, and a member sees the state.
            String household = GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Home\") { id } }")
                    .then().body("errors", nullValue()).extract().path("data.createHousehold.id");
            Households.join(owner.token(), household, member.email(), member.token(), "FAMILY");
            moveTo(owner, appliance, household, thing);
            try (GraphQLWebSocket memberState = GraphQLWebSocket.connected(graphql, member.token())) {
                memberState.subscribe("state", STATE_OF, Map.of("a", appliance));
                commandRoundTrip(owner, appliance, device);
                commandRoundTrip(member, appliance, device); // FAMILY may start a COOKER, through the API
                reportAndSee(device, "in the household", ownerState, memberState);
            }

            // Moved out again: still the same thing, still reachable; the member no longer sees it.
            moveTo(owner, appliance, null, thing);
            commandRoundTrip(owner, appliance, device);
            reportAndSee(device, "out of the household", ownerState);
            GraphQL.post(member.token(), THING_NAME, Map.of("a", appliance)).then()
                    .body("errors[0].extensions.code", equalTo("NOT_FOUND"));
        }
        assertThat(database.count("select count(*) from dead_letter where topic like '%/' || $1 || '/%'", thing))
                .as("nothing the device sent was dead-lettered").isZero();
    }

    private static void moveTo(User owner, String appliance, String household, String thing) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("a", appliance);
        variables.put("h", household); // null: out of any household
        GraphQL.post(owner.token(), "mutation($a: ID!, $h: ID) { assignApplianceToHousehold(applianceId: $a, "
                + "householdId: $h) { thingName household { id } } }", variables).then().body("errors", nullValue())
                .body("data.assignApplianceToHousehold.thingName", equalTo(thing))
                .body("data.assignApplianceToHousehold.household.id", equalTo(household));
        GraphQL.post(owner.token(), THING_NAME, Map.of("a", appliance)).then()
                .body("data.appliance.thingName", equalTo(thing));
    }

    /** sendCommand through the API; the device gets it on its own commands topic, answers, and the command succeeds. */
    private static void commandRoundTrip(User sender, String appliance, PolicyBoundDevice device) throws Exception {
        String commandId = GraphQL.post(sender.token(),
                "mutation($a: ID!) { sendCommand(applianceId: $a, command: START) { id status } }", Map.of("a", appliance))
                .then().body("errors", nullValue()).extract().path("data.sendCommand.id");
        JsonObject command = device.commands().nextToAct(WAIT);
        assertThat(command.getString("commandId")).isEqualTo(commandId);
        device.commands().answer(commandId, "SUCCEEDED", new JsonObject().put("started", true), null);
        await().atMost(WAIT).untilAsserted(() -> GraphQL.post(sender.token(),
                "query($c: ID!) { command(id: $c) { status result } }", Map.of("c", commandId))
                .then().body("errors", nullValue()).body("data.command.status", equalTo("SUCCEEDED")));
    }

    /** The device reports a newer state; every subscription given receives it (older ones skipped). */
    private void reportAndSee(PolicyBoundDevice device, String status, GraphQLWebSocket... watchers) throws Exception {
        long reported = ++version;
        device.report(reported, new JsonObject().put("status", status));
        for (GraphQLWebSocket watcher : watchers) {
            JsonObject state;
            do {
                state = watcher.nextData("state").getJsonObject("applianceState");
            } while (state.getLong("version") < reported);
            assertThat(state.getLong("version")).isEqualTo(reported);
            assertThat(state.getString("reported")).contains(status);
        }
    }
}
