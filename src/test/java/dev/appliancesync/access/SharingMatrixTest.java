package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Walks the whole sharing matrix through the GraphQL API: every appliance type, every relation of the caller to the
 * appliance, every action. The expected table is written out here on purpose, independently of the Cedar policies.
 */
@QuarkusTest
class SharingMatrixTest {

    enum Type { MINI_OVEN, SENSE, COOKER, FRIDGE, GENERIC }

    enum Relation { OWNER, ADMIN, FAMILY, GUEST, NONE }

    enum Action { VIEW, ADJUST_SETTINGS, START_STOP, MAINTAIN, MANAGE_SHARES, RENAME }

    private static final Set<Action> ALL = EnumSet.allOf(Action.class);
    private static final Set<Action> NOTHING = EnumSet.noneOf(Action.class);

    /** The expected outcome table: what each relation may do with each appliance type. */
    private static final Map<Relation, Map<Type, Set<Action>>> EXPECTED = Map.of(
            Relation.OWNER, Map.of(
                    Type.MINI_OVEN, ALL,
                    Type.SENSE, ALL,
                    Type.COOKER, ALL,
                    Type.FRIDGE, ALL,
                    Type.GENERIC, ALL),
            Relation.ADMIN, Map.of(
                    Type.MINI_OVEN, ALL,
                    Type.SENSE, ALL,
                    Type.COOKER, ALL,
                    Type.FRIDGE, ALL,
                    Type.GENERIC, ALL),
            Relation.FAMILY, Map.of(
                    Type.MINI_OVEN, EnumSet.of(Action.VIEW, Action.ADJUST_SETTINGS),
                    Type.SENSE, EnumSet.of(Action.VIEW, Action.ADJUST_SETTINGS, Action.START_STOP, Action.MAINTAIN),
                    Type.COOKER, EnumSet.of(Action.VIEW, Action.START_STOP),
                    Type.FRIDGE, EnumSet.of(Action.VIEW, Action.ADJUST_SETTINGS),
                    Type.GENERIC, EnumSet.of(Action.VIEW, Action.ADJUST_SETTINGS, Action.START_STOP)),
            Relation.GUEST, Map.of(
                    Type.MINI_OVEN, EnumSet.of(Action.VIEW),
                    Type.SENSE, NOTHING,
                    Type.COOKER, NOTHING,
                    Type.FRIDGE, NOTHING,
                    Type.GENERIC, EnumSet.of(Action.VIEW)),
            Relation.NONE, Map.of(
                    Type.MINI_OVEN, NOTHING,
                    Type.SENSE, NOTHING,
                    Type.COOKER, NOTHING,
                    Type.FRIDGE, NOTHING,
                    Type.GENERIC, NOTHING));

    /** The capabilities an owner has beyond the actions walked here. */
    private static final Set<String> OWNER_ONLY_CAPABILITIES = Set.of("ASSIGN_HOUSEHOLD", "REMOVE", "TRANSFER");

    private static final String APPLIANCE = """
            query($id: ID!) { appliance(id: $id) { id type myRole myCapabilities } }""";
    private static final String SEND = """
            mutation($id: ID!, $command: DeviceCommand!) {
              sendCommand(applianceId: $id, command: $command) { id applianceId command status } }""";
    private static final String SHARE = """
            mutation($id: ID!, $email: String!, $role: Role!) {
              shareAppliance(applianceId: $id, recipientEmail: $email, role: $role) {
                share { id role } invitation { id } } }""";
    private static final String RENAME = """
            mutation($id: ID!, $name: String!) { renameAppliance(applianceId: $id, name: $name) { id name } }""";

    @Inject
    Database database;

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (Type type : Type.values()) {
            for (Relation relation : Relation.values()) {
                cells.add(Arguments.of(type, relation));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("cells")
    void everyActionOfTheCellIsAllowedOrDeniedAsTheMatrixSays(Type type, Relation relation) {
        SoftAssertions softly = new SoftAssertions();
        Set<Action> allowed = EXPECTED.get(relation).get(type);
        String ownerName = Tokens.uniqueUsername("owner");
        String owner = Tokens.forUser(ownerName);
        String applianceId = provisionAndClaim(owner, type);

        String actor = setUpRelation(owner, applianceId, relation);
        UUID appliance = UUID.fromString(applianceId);

        // VIEW
        JsonPath view = GraphQL.post(actor, APPLIANCE, Map.of("id", applianceId)).then().statusCode(200).extract()
                .jsonPath();
        if (allowed.contains(Action.VIEW)) {
            softly.assertThat(view.getList("errors")).as("appliance(id) errors: %s", view.prettify()).isNull();
            softly.assertThat(view.getString("data.appliance.id")).isEqualTo(applianceId);
            softly.assertThat(view.getString("data.appliance.type")).isEqualTo(type.name());
            softly.assertThat(view.getString("data.appliance.myRole")).isEqualTo(relation.name());
            softly.assertThat(new TreeSet<>(view.<String> getList("data.appliance.myCapabilities")))
                    .as("myCapabilities of %s on %s", relation, type)
                    .isEqualTo(expectedCapabilities(relation, allowed));
        } else {
            softly.assertThat(view.getString("errors[0].extensions.code")).as("appliance(id) of %s on %s", relation, type)
                    .isEqualTo("NOT_FOUND");
        }

        // Commands: each denied one must leave no row in table command.
        long sent = 0;
        sent += command(softly, actor, appliance, "SET_TEMPERATURE", Action.ADJUST_SETTINGS, allowed, sent);
        sent += command(softly, actor, appliance, "START", Action.START_STOP, allowed, sent);
        sent += command(softly, actor, appliance, "CALIBRATE", Action.MAINTAIN, allowed, sent);
        softly.assertThat(commandsOf(appliance)).as("commands recorded for %s on %s", relation, type).isEqualTo(sent);

        // MANAGE_SHARES: share with a fresh, signed-in user.
        String recipientName = Tokens.uniqueUsername("recipient");
        signIn(Tokens.forUser(recipientName));
        long sharesBefore = sharesOf(appliance);
        JsonPath share = GraphQL.post(actor, SHARE, Map.of("id", applianceId, "email", recipientName + "@example.com",
                "role", "GUEST")).then().statusCode(200).extract().jsonPath();
        if (allowed.contains(Action.MANAGE_SHARES)) {
            softly.assertThat(share.getList("errors")).as("shareAppliance errors: %s", share.prettify()).isNull();
            softly.assertThat(share.getString("data.shareAppliance.share.role")).isEqualTo("GUEST");
            softly.assertThat(share.getString("data.shareAppliance.invitation")).isNull();
            softly.assertThat(sharesOf(appliance)).isEqualTo(sharesBefore + 1);
        } else {
            softly.assertThat(share.getString("errors[0].extensions.code")).as("shareAppliance by %s on %s", relation, type)
                    .isEqualTo(deniedCode(allowed));
            softly.assertThat(sharesOf(appliance)).as("a denied share writes nothing").isEqualTo(sharesBefore);
        }

        // RENAME
        String newName = "Renamed by " + relation;
        JsonPath rename = GraphQL.post(actor, RENAME, Map.of("id", applianceId, "name", newName)).then()
                .statusCode(200).extract().jsonPath();
        String nameSeenByOwner;
        if (allowed.contains(Action.RENAME)) {
            softly.assertThat(rename.getList("errors")).as("renameAppliance errors: %s", rename.prettify()).isNull();
            softly.assertThat(rename.getString("data.renameAppliance.name")).isEqualTo(newName);
            nameSeenByOwner = newName;
        } else {
            softly.assertThat(rename.getString("errors[0].extensions.code")).as("renameAppliance by %s on %s", relation, type)
                    .isEqualTo(deniedCode(allowed));
            nameSeenByOwner = "Original";
        }
        softly.assertThat(GraphQL.post(owner, "query($id: ID!) { appliance(id: $id) { name } }", Map.of("id", applianceId))
                .then().statusCode(200).extract().jsonPath().getString("data.appliance.name")).isEqualTo(nameSeenByOwner);
        softly.assertAll();
    }

    /** Sends the command; returns 1 if it was (and had to be) accepted, 0 if it was (and had to be) refused. */
    private long command(SoftAssertions softly, String actor, UUID appliance, String command, Action action,
            Set<Action> allowed, long sentSoFar) {
        JsonPath result = GraphQL.post(actor, SEND, Map.of("id", appliance.toString(), "command", command)).then()
                .statusCode(200).extract().jsonPath();
        if (allowed.contains(action)) {
            softly.assertThat(result.getList("errors")).as("sendCommand %s errors: %s", command, result.prettify()).isNull();
            softly.assertThat(result.getString("data.sendCommand.command")).isEqualTo(command);
            softly.assertThat(result.getString("data.sendCommand.applianceId")).isEqualTo(appliance.toString());
            softly.assertThat(commandsOf(appliance)).isEqualTo(sentSoFar + 1);
            return 1;
        }
        softly.assertThat(result.getString("errors[0].extensions.code")).as("sendCommand %s", command)
                .isEqualTo(deniedCode(allowed));
        softly.assertThat((Object) result.get("data.sendCommand")).as("no receipt for a denied %s", command).isNull();
        softly.assertThat(commandsOf(appliance)).as("a denied %s writes nothing", command).isEqualTo(sentSoFar);
        return 0;
    }

    private static String deniedCode(Set<Action> allowed) {
        return allowed.contains(Action.VIEW) ? "FORBIDDEN" : "NOT_FOUND";
    }

    private static Set<String> expectedCapabilities(Relation relation, Set<Action> allowed) {
        Set<String> capabilities = new TreeSet<>();
        for (Action action : allowed) {
            capabilities.add(action == Action.VIEW ? "VIEW_STATUS" : action.name());
        }
        if (relation == Relation.OWNER) {
            capabilities.addAll(OWNER_ONLY_CAPABILITIES);
        }
        return capabilities;
    }

    private long commandsOf(UUID appliance) {
        return database.count("select count(*) from command where appliance_id = $1", appliance);
    }

    private long sharesOf(UUID appliance) {
        return database.count("select count(*) from share where appliance_id = $1 and revoked_at is null", appliance);
    }

    /** The token of a user with this relation to the appliance. */
    private static String setUpRelation(String owner, String applianceId, Relation relation) {
        if (relation == Relation.OWNER) {
            return owner;
        }
        String name = Tokens.uniqueUsername(relation.name().toLowerCase());
        String actor = Tokens.forUser(name);
        signIn(actor);
        String email = name + "@example.com";
        switch (relation) {
            case ADMIN -> {
                String household = ok(GraphQL.post(owner, "mutation { createHousehold(name: \"Home\") { id } }"))
                        .getString("data.createHousehold.id");
                Households.join(owner, household, email, actor, "ADMIN");
                JsonPath assigned = ok(GraphQL.post(owner, """
                        mutation($a: ID!, $h: ID!) {
                          assignApplianceToHousehold(applianceId: $a, householdId: $h) { id household { id } } }""",
                        Map.of("a", applianceId, "h", household)));
                assertThat(assigned.getString("data.assignApplianceToHousehold.household.id")).isEqualTo(household);
            }
            case FAMILY, GUEST -> {
                JsonPath shared = ok(GraphQL.post(owner, SHARE, Map.of("id", applianceId, "email", email,
                        "role", relation.name())));
                assertThat(shared.getString("data.shareAppliance.share.role")).isEqualTo(relation.name());
            }
            default -> {
                // NONE: signed in, unrelated
            }
        }
        return actor;
    }

    private static String provisionAndClaim(String owner, Type type) {
        String operator = Tokens.forUser(Tokens.uniqueUsername("operator"), Tokens.uniqueUsername("op") + "@example.com",
                List.of("admin"));
        String serial = "SN-" + UUID.randomUUID();
        String claimCode = "CC-" + UUID.randomUUID().toString().substring(0, 12);
        Map<String, Object> variables = new HashMap<>();
        variables.put("serial", serial);
        variables.put("type", type.name());
        variables.put("code", claimCode);
        variables.put("thing", "thing-" + UUID.randomUUID().toString().substring(0, 12));
        ok(GraphQL.post(operator, """
                mutation($serial: String!, $type: ApplianceType!, $code: String!, $thing: String) {
                  provisionAppliance(serialNumber: $serial, type: $type, claimCode: $code, thingName: $thing) { id } }""",
                variables));
        return ok(GraphQL.post(owner, """
                mutation($serial: String!, $code: String!) {
                  claimAppliance(serialNumber: $serial, claimCode: $code, name: "Original") { id myRole } }""",
                Map.of("serial", serial, "code", claimCode))).getString("data.claimAppliance.id");
    }

    private static void signIn(String token) {
        ok(GraphQL.post(token, "{ me { id } }"));
    }

    private static JsonPath ok(io.restassured.response.Response response) {
        JsonPath json = response.then().statusCode(200).extract().jsonPath();
        assertThat(json.getList("errors")).as("errors of a set-up request: %s", json.prettify()).isNull();
        return json;
    }
}
