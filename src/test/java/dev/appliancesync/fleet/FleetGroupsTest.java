package dev.appliancesync.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.access.PolicyStore;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.PolicyFiles;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/**
 * Dynamic fleet groups through the GraphQL API on real PostgreSQL: saving fills the membership, shadow updates stored
 * the way ingestion stores them move appliances in and out (and fleetGroupChanged says so), only operators may save,
 * read or subscribe. Each group's query is scoped to a household of the test's own, and each test deletes its groups,
 * so that no other test's shadow updates are evaluated against them.
 */
@QuarkusTest
class FleetGroupsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SAVE = """
            mutation($n: String!, $q: FleetQuery!) {
              saveFleetGroup(name: $n, query: $q) { id name types memberCount members(first: 100) { appliances { id } hasMore } }
            }""";
    private static final String GROUP = """
            query($id: ID!) { fleetGroup(id: $id) { id memberCount members(first: 100) { appliances { id } hasMore } } }""";
    private static final String CHANGED = """
            subscription($g: ID!) { fleetGroupChanged(groupId: $g) { kind groupId applianceId thingName entered at } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    FleetFixture fixture;

    @Inject
    DeviceStateService states;

    @Inject
    Database database;

    @Inject
    PolicyStore policyStore;

    private PolicyFiles files;
    private final List<String> saved = new ArrayList<>();
    private User operator;
    private UUID household;
    private UUID doorOpen;
    private UUID doorClosed;
    private UUID oven;

    @BeforeEach
    void fleet() {
        files = new PolicyFiles(policyStore);
        operator = User.signedIn("group-op", List.of("admin"));
        household = fixture.household();
        doorOpen = fixture.appliance(household, "FRIDGE", "1.9");
        fixture.shadow(doorOpen, "", new JsonObject().put("DoorOpened", true), new JsonObject());
        doorClosed = fixture.appliance(household, "FRIDGE", "1.9");
        fixture.shadow(doorClosed, "", new JsonObject().put("DoorOpened", false), new JsonObject());
        oven = fixture.appliance(household, "MINI_OVEN", "1.0");
        fixture.shadow(oven, "", new JsonObject().put("DoorOpened", true), new JsonObject());
    }

    @AfterEach
    void deleteGroups() throws IOException {
        for (String id : saved) {
            ok(operator, "mutation($id: ID!) { deleteFleetGroup(id: $id) }", Map.of("id", id));
        }
        files.deleteAll();
    }

    @Test
    void savingFillsTheMembershipAndTheGroupReturnsItsMembers() {
        JsonPath group = save("open-fridges", openFridges());
        assertThat(group.getInt("data.saveFleetGroup.memberCount")).isEqualTo(1);
        assertThat(ids(group, "data.saveFleetGroup.members.appliances.id")).containsExactly(doorOpen);
        assertThat(database.count("select count(*) from fleet_group_member where group_id = $1",
                UUID.fromString(group.getString("data.saveFleetGroup.id")))).isEqualTo(1);
        String id = group.getString("data.saveFleetGroup.id");

        JsonPath read = ok(operator, GROUP, Map.of("id", id));
        assertThat(ids(read, "data.fleetGroup.members.appliances.id")).containsExactly(doorOpen);
        JsonPath listed = ok(operator, "{ fleetGroups { id name } }", Map.of());
        assertThat(listed.getList("data.fleetGroups.id", String.class)).contains(id);

        // Saved again under its name with another query: the same group, its members refilled.
        JsonPath resaved = save("open-fridges", Map.of("householdId", household.toString(),
                "attributes", List.of(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true)))));
        assertThat(resaved.getString("data.saveFleetGroup.id")).isEqualTo(id);
        assertThat(ids(resaved, "data.saveFleetGroup.members.appliances.id")).containsExactlyInAnyOrder(doorOpen, oven);

        // Deleted: gone for readers, and no longer evaluated when a shadow changes.
        ok(operator, "mutation($id: ID!) { deleteFleetGroup(id: $id) }", Map.of("id", id));
        saved.remove(id);
        assertThat(post(operator, GROUP, Map.of("id", id)).getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(post(operator, "mutation($id: ID!) { deleteFleetGroup(id: $id) }", Map.of("id", id))
                .getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        report(doorClosed, 2, true);
        assertThat(database.count("select count(*) from fleet_group_member where group_id = $1 and appliance_id = $2",
                UUID.fromString(id), doorClosed)).isZero();
        assertThat(database.count("select count(*) from audit_log where action = 'DELETE_FLEET_GROUP' "
                + "and resource = $1 and decision = 'ALLOW'", "fleet/groups/" + id)).isOne();
    }

    @Test
    void shadowUpdatesMoveAppliancesInAndOutAndTheSubscriptionSaysSo() throws Exception {
        String id = save("open-fridges", openFridges()).getString("data.saveFleetGroup.id");
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, operator.token())) {
            ws.subscribe("g", CHANGED, Map.of("g", id));
            assertThat(next(ws).getString("kind")).isEqualTo("SUBSCRIBED");

            report(doorClosed, 2, true);
            JsonObject entered = next(ws);
            assertThat(entered.getString("kind")).isEqualTo("ENTERED");
            assertThat(entered.getBoolean("entered")).isTrue();
            assertThat(entered.getString("applianceId")).isEqualTo(doorClosed.toString());
            assertThat(entered.getString("groupId")).isEqualTo(id);
            assertThat(entered.getString("thingName")).isNotBlank();
            assertThat(entered.getString("at")).isNotBlank();

            // Updates that change nothing about membership push nothing: the next item is the fridge that closes.
            report(doorClosed, 3, true);
            report(oven, 2, false);
            report(doorOpen, 2, false);
            JsonObject left = next(ws);
            assertThat(left.getString("kind")).isEqualTo("LEFT");
            assertThat(left.getBoolean("entered")).isFalse();
            assertThat(left.getString("applianceId")).isEqualTo(doorOpen.toString());
        }
        JsonPath read = ok(operator, GROUP, Map.of("id", id));
        assertThat(ids(read, "data.fleetGroup.members.appliances.id")).containsExactly(doorClosed);
        assertThat(read.getInt("data.fleetGroup.memberCount")).isEqualTo(1);
    }

    @Test
    void aSubscriptionToADeletedGroupEndsWithNotFound() throws Exception {
        String id = save("open-fridges", openFridges()).getString("data.saveFleetGroup.id");
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, operator.token())) {
            ws.subscribe("g", CHANGED, Map.of("g", id));
            assertThat(next(ws).getString("kind")).isEqualTo("SUBSCRIBED");
            ok(operator, "mutation($id: ID!) { deleteFleetGroup(id: $id) }", Map.of("id", id));
            saved.remove(id);
            JsonObject ended = ws.nextMessage("g");
            assertThat(ended.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).as(ended.encode()).isEqualTo("NOT_FOUND");
            assertThat(ws.nextMessage("g").getString("type")).isEqualTo("complete");
        }
    }

    @Test
    void presenceReportedByTheBrokerMovesAppliancesInAndOut() throws Exception {
        String id = save("online", Map.of("householdId", household.toString(), "online", true))
                .getString("data.saveFleetGroup.id");
        assertThat(ok(operator, GROUP, Map.of("id", id)).getInt("data.fleetGroup.memberCount")).isZero();
        String thing = thingName(doorOpen);
        long now = System.currentTimeMillis();
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, operator.token());
                MqttDevice device = MqttDevice.connectToEmbeddedBroker()) {
            ws.subscribe("g", CHANGED, Map.of("g", id));
            assertThat(next(ws).getString("kind")).isEqualTo("SUBSCRIBED");

            // The embedded broker carries IoT Core's $aws/events topics as aws/events (as DeviceIngestionTest does).
            device.publish("aws/events/presence/connected/" + thing, presence(thing, "connected", now));
            JsonObject entered = next(ws);
            assertThat(entered.getString("kind")).isEqualTo("ENTERED");
            assertThat(entered.getString("applianceId")).isEqualTo(doorOpen.toString());
            assertThat(entered.getString("thingName")).isEqualTo(thing);

            device.publish("aws/events/presence/disconnected/" + thing, presence(thing, "disconnected", now + 1_000));
            JsonObject left = next(ws);
            assertThat(left.getString("kind")).isEqualTo("LEFT");
            assertThat(left.getString("applianceId")).isEqualTo(doorOpen.toString());
        }
        assertThat(ok(operator, GROUP, Map.of("id", id)).getInt("data.fleetGroup.memberCount")).isZero();
    }

    @Test
    void anOperatorNarrowedToFridgesSeesOnlyFridgesOfAGroup() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String group = "fridge-ops-" + unique;
        User fridgeOperator = User.signedIn("fridge-op", List.of(group));
        files.writeInForce("fridge-ops-" + unique + ".cedar", """
                @id("fridge-ops-%s")
                permit (principal in Group::"%s", action == Action::"SEARCH_FLEET", resource is Appliance)
                when { resource.type == "FRIDGE" };
                """.formatted(unique, group));
        // Saved by an operator of every type: open doors of fridges and ovens.
        String id = save("open-doors", Map.of("householdId", household.toString(),
                "attributes", List.of(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true)))))
                .getString("data.saveFleetGroup.id");
        JsonPath seen = ok(fridgeOperator, GROUP, Map.of("id", id));
        assertThat(ids(seen, "data.fleetGroup.members.appliances.id")).containsExactly(doorOpen);
        assertThat(seen.getInt("data.fleetGroup.memberCount")).isEqualTo(1);

        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, fridgeOperator.token())) {
            ws.subscribe("g", CHANGED, Map.of("g", id));
            assertThat(next(ws).getString("kind")).isEqualTo("SUBSCRIBED");
            report(oven, 2, false); // the oven leaves: not theirs to see
            report(doorClosed, 2, true);
            JsonObject first = next(ws);
            assertThat(first.getString("applianceId")).isEqualTo(doorClosed.toString());
            assertThat(first.getString("kind")).isEqualTo("ENTERED");
        }
        // A group saved by the narrowed operator holds fridges only, whatever its query says.
        JsonPath own = ok(fridgeOperator, SAVE, Map.of("n", "fridge-op-" + household, "q",
                Map.of("householdId", household.toString(), "types", List.of("FRIDGE", "MINI_OVEN"))));
        saved.add(own.getString("data.saveFleetGroup.id"));
        assertThat(own.getList("data.saveFleetGroup.types", String.class)).containsExactly("FRIDGE");
        assertThat(ids(own, "data.saveFleetGroup.members.appliances.id")).containsExactlyInAnyOrder(doorOpen,
                doorClosed);
        assertThat(ids(ok(operator, GROUP, Map.of("id", own.getString("data.saveFleetGroup.id"))),
                "data.fleetGroup.members.appliances.id")).as("nor does an operator of every type see more in it")
                .containsExactlyInAnyOrder(doorOpen, doorClosed);
    }

    @Test
    void aStoredQueryMatchesWhatTheSameSearchFinds() {
        fixture.presence(doorClosed, false, OffsetDateTime.now().minusDays(2));
        Map<String, Object> query = Map.of("householdId", household.toString(),
                "firmware", Map.of("gte", "1.9"),
                "or", List.of(Map.of("lastSeenBefore", OffsetDateTime.now().minusDays(1).toString()),
                        Map.of("attributes", List.of(Map.of("path", "reported.DoorOpened", "shadow", "",
                                "in", List.of(Map.of("flag", true), Map.of("text", "open")))))),
                "not", Map.of("types", List.of("MINI_OVEN")));
        JsonPath searched = ok(operator, "query($q: FleetQuery!) { fleet(query: $q, first: 100) { appliances { id } } }",
                Map.of("q", query));
        List<UUID> found = ids(searched, "data.fleet.appliances.id");
        assertThat(found).containsExactlyInAnyOrder(doorOpen, doorClosed);
        assertThat(ids(save("stored", query), "data.saveFleetGroup.members.appliances.id"))
                .containsExactlyInAnyOrderElementsOf(found);
    }

    @Test
    void badGroupsGetTypedErrors() {
        JsonPath badQuery = post(operator, SAVE, Map.of("n", "bad-" + household, "q", Map.of("householdId",
                household.toString(), "attributes", List.of(Map.of("path", "reported.x') or true --", "exists", true)))));
        assertThat(badQuery.getString("errors[0].extensions.code")).as(badQuery.prettify()).isEqualTo("VALIDATION");
        assertThat(badQuery.getString("errors[0].extensions.reason")).isEqualTo("BAD_QUERY");
        JsonPath blank = post(operator, SAVE, Map.of("n", "  ", "q", openFridges()));
        assertThat(blank.getString("errors[0].extensions.code")).as(blank.prettify()).isEqualTo("VALIDATION");
        assertThat(post(operator, GROUP, Map.of("id", "not-a-group")).getString("errors[0].extensions.code"))
                .isEqualTo("NOT_FOUND");
        assertThat(post(operator, GROUP, Map.of("id", UUID.randomUUID().toString()))
                .getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(database.count("select count(*) from fleet_group where name in ($1, '  ')", "bad-" + household))
                .isZero();
    }

    @Test
    void aNonOperatorIsRefusedToSaveReadAndSubscribe() throws Exception {
        String id = save("open-fridges", openFridges()).getString("data.saveFleetGroup.id");
        User owner = User.signedIn("not-an-operator");
        long denials = database.count("select count(*) from audit_log where action = 'SAVE_FLEET_GROUP' "
                + "and decision = 'DENY'");

        JsonPath refused = post(owner, SAVE, Map.of("n", "mine-" + UUID.randomUUID(), "q", openFridges()));
        assertThat(refused.getString("errors[0].extensions.code")).as(refused.prettify()).isEqualTo("FORBIDDEN");
        assertThat(database.count("select count(*) from audit_log where action = 'SAVE_FLEET_GROUP' "
                + "and decision = 'DENY'")).as("a refused mutation is audited").isEqualTo(denials + 1);
        assertThat(post(owner, "{ fleetGroups { id } }", Map.of()).getString("errors[0].extensions.code"))
                .isEqualTo("FORBIDDEN");
        assertThat(post(owner, GROUP, Map.of("id", id)).getString("errors[0].extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(post(owner, "mutation($id: ID!) { deleteFleetGroup(id: $id) }", Map.of("id", id))
                .getString("errors[0].extensions.code")).isEqualTo("FORBIDDEN");

        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("g", CHANGED, Map.of("g", id));
            JsonObject refusal = ws.nextMessage("g");
            assertThat(refusal.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).as(refusal.encode()).isEqualTo("FORBIDDEN");
            assertThat(ws.nextMessage("g").getString("type")).isEqualTo("complete");
        }
        assertThat(ok(operator, GROUP, Map.of("id", id)).getInt("data.fleetGroup.memberCount"))
                .as("the group is untouched").isEqualTo(1);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Fridges of this test's household whose door is open. */
    private Map<String, Object> openFridges() {
        return Map.of("householdId", household.toString(), "types", List.of("FRIDGE"),
                "attributes", List.of(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true))));
    }

    private JsonPath save(String name, Map<String, Object> query) {
        String unique = name + "-" + household;
        JsonPath response = ok(operator, SAVE, Map.of("n", unique, "q", query));
        String id = response.getString("data.saveFleetGroup.id");
        if (!saved.contains(id)) {
            saved.add(id);
        }
        return response;
    }

    /** The fridge reports its door, stored as ingestion stores a shadow (DeviceStateService, the change log). */
    private void report(UUID appliance, long version, boolean doorOpened) {
        assertThat(states.record(appliance, "", new JsonObject().put("DoorOpened", doorOpened), new JsonObject(),
                version, null).await().atMost(WAIT)).isTrue();
    }

    private String thingName(UUID appliance) {
        return ok(operator, "query($q: FleetQuery!) { fleet(query: $q, first: 100) { appliances { id thingName } } }",
                Map.of("q", Map.of("householdId", household.toString()))).getList("data.fleet.appliances",
                        Map.class).stream().filter(a -> appliance.toString().equals(a.get("id")))
                .map(a -> (String) a.get("thingName")).findFirst().orElseThrow();
    }

    /** A lifecycle event as IoT Core publishes it. */
    private static String presence(String thing, String eventType, long millis) {
        return new JsonObject().put("clientId", thing).put("timestamp", millis).put("eventType", eventType)
                .put("sessionIdentifier", UUID.randomUUID().toString()).put("principalIdentifier", "cert").encode();
    }

    private static JsonObject next(GraphQLWebSocket ws) throws InterruptedException {
        return ws.nextData("g").getJsonObject("fleetGroupChanged");
    }

    private static List<UUID> ids(JsonPath response, String path) {
        return response.getList(path, String.class).stream().map(UUID::fromString).toList();
    }

    private static JsonPath post(User caller, String query, Map<String, Object> variables) {
        return GraphQL.answered(caller.token(), query, variables);
    }

    private static JsonPath ok(User caller, String query, Map<String, Object> variables) {
        return GraphQL.ok(caller.token(), query, variables);
    }
}
