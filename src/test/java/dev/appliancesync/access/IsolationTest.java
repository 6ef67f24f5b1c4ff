package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * An attacker who knows (or guesses) the ids of other people's appliances, shares, invitations and households can
 * neither see nor change any of them: every attempt is NOT_FOUND, exactly as for an id that does not exist, and
 * leaves everything as it was. Plus the input validation of sharing and preferences.
 */
@QuarkusTest
class IsolationTest {

    private static final String VICTIM_APPLIANCE = """
            query($id: ID!) { appliance(id: $id) {
              id name thingName serialNumber myRole household { id }
              shares { id role status revokedAt recipient { id } }
              invitations { id email role } } }""";
    private static final String VICTIM_HOUSEHOLDS = """
            { households { id name thingPrefix myRole members { id role status revokedAt recipient { id } }
              invitations { id email role } } }""";
    private static final String SHARE = """
            mutation($id: ID!, $email: String!, $role: Role!) {
              shareAppliance(applianceId: $id, recipientEmail: $email, role: $role) {
                share { id role } invitation { id email } } }""";

    @Inject
    Database database;

    private String victim;
    private String victimId;
    private String victimEmail;
    private String applianceId;
    private String familyShareId;
    private String familyToken;
    private String guestToken;
    private String invitationId;
    private String householdId;
    private String memberId;
    private String memberShareId;
    private String householdInvitationId;
    private String victimCommandId;
    private String attacker;
    private String attackerEmail;
    private String attackerHouseholdId;

    @BeforeEach
    void victimSharesTheirApplianceAndRunsAHousehold() {
        String victimName = Tokens.uniqueUsername("victim");
        victimEmail = victimName + "@example.com";
        victim = Tokens.forUser(victimName);
        victimId = ok(GraphQL.post(victim, "{ me { id } }")).getString("data.me.id");
        applianceId = provisionAndClaim(victim, "MINI_OVEN");

        String familyName = Tokens.uniqueUsername("family");
        familyToken = Tokens.forUser(familyName);
        signIn(familyToken);
        familyShareId = ok(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", familyName + "@example.com",
                "role", "FAMILY"))).getString("data.shareAppliance.share.id");
        assertThat(familyShareId).isNotNull();

        String guestName = Tokens.uniqueUsername("guest");
        guestToken = Tokens.forUser(guestName);
        signIn(guestToken);
        assertThat(ok(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", guestName + "@example.com",
                "role", "GUEST"))).getString("data.shareAppliance.share.id")).isNotNull();

        invitationId = ok(GraphQL.post(victim, SHARE, Map.of("id", applianceId,
                "email", Tokens.uniqueUsername("nobody") + "@example.com", "role", "FAMILY")))
                .getString("data.shareAppliance.invitation.id");
        assertThat(invitationId).isNotNull();

        householdId = ok(GraphQL.post(victim, "mutation { createHousehold(name: \"Victim home\") { id } }"))
                .getString("data.createHousehold.id");
        String memberName = Tokens.uniqueUsername("member");
        String member = Tokens.forUser(memberName);
        memberId = ok(GraphQL.post(member, "{ me { id } }")).getString("data.me.id");
        memberShareId = Households.join(victim, householdId, memberName + "@example.com", member, "FAMILY");
        assertThat(memberShareId).isNotNull();
        householdInvitationId = Households.invite(victim, householdId, Tokens.uniqueUsername("nobody") + "@example.com",
                "FAMILY");
        assertThat(householdInvitationId).isNotNull();
        victimCommandId = ok(GraphQL.post(victim,
                "mutation($id: ID!) { sendCommand(applianceId: $id, command: STOP) { id } }", Map.of("id", applianceId)))
                .getString("data.sendCommand.id");

        String attackerName = Tokens.uniqueUsername("attacker");
        attackerEmail = attackerName + "@example.com";
        attacker = Tokens.forUser(attackerName);
        signIn(attacker);
        attackerHouseholdId = ok(GraphQL.post(attacker, "mutation { createHousehold(name: \"Lair\") { id } }"))
                .getString("data.createHousehold.id");
    }

    @Test
    void everyAttemptOnAnotherUsersThingsIsNotFoundAndChangesNothing() {
        Map<String, Object> before = snapshot();
        String accomplice = Tokens.uniqueUsername("accomplice") + "@example.com";

        Map<String, Attempt> attempts = new LinkedHashMap<>();
        attempts.put("appliance", new Attempt("query($id: ID!) { appliance(id: $id) { id name } }",
                Map.of("id", applianceId)));
        attempts.put("renameAppliance", new Attempt(
                "mutation($id: ID!) { renameAppliance(applianceId: $id, name: \"pwned\") { id } }",
                Map.of("id", applianceId)));
        attempts.put("shareAppliance (to a stranger)", new Attempt(SHARE,
                Map.of("id", applianceId, "email", accomplice, "role", "FAMILY")));
        attempts.put("shareAppliance (to self)", new Attempt(SHARE,
                Map.of("id", applianceId, "email", attackerEmail, "role", "FAMILY")));
        attempts.put("revokeShare", new Attempt("mutation($id: ID!) { revokeShare(shareId: $id) { id } }",
                Map.of("id", familyShareId)));
        attempts.put("removeAppliance", new Attempt("mutation($id: ID!) { removeAppliance(applianceId: $id) }",
                Map.of("id", applianceId)));
        attempts.put("transferOwnership", new Attempt(
                "mutation($id: ID!, $email: String!) { transferOwnership(applianceId: $id, newOwnerEmail: $email) }",
                Map.of("id", applianceId, "email", attackerEmail)));
        attempts.put("sendCommand", new Attempt(
                "mutation($id: ID!) { sendCommand(applianceId: $id, command: START) { id } }",
                Map.of("id", applianceId)));
        attempts.put("updatePreferences", new Attempt("""
                mutation($id: ID!, $settings: JSON!) {
                  updatePreferences(applianceId: $id, settings: $settings, expectedVersion: 0) { version } }""",
                Map.of("id", applianceId, "settings", "{\"a\":1}")));
        attempts.put("cancelInvitation", new Attempt(
                "mutation($id: ID!) { cancelInvitation(invitationId: $id) { id } }", Map.of("id", invitationId)));
        attempts.put("assignApplianceToHousehold", new Attempt("""
                mutation($a: ID!, $h: ID!) { assignApplianceToHousehold(applianceId: $a, householdId: $h) { id } }""",
                Map.of("a", applianceId, "h", attackerHouseholdId)));
        attempts.put("removeHouseholdMember", new Attempt("""
                mutation($h: ID!, $u: ID!) { removeHouseholdMember(householdId: $h, userId: $u) { id } }""",
                Map.of("h", householdId, "u", memberId)));
        attempts.put("addHouseholdMember", new Attempt("""
                mutation($h: ID!, $email: String!) {
                  addHouseholdMember(householdId: $h, email: $email, role: FAMILY) { id } }""",
                Map.of("h", householdId, "email", accomplice)));
        attempts.put("addHouseholdMember (self)", new Attempt("""
                mutation($h: ID!, $email: String!) {
                  addHouseholdMember(householdId: $h, email: $email, role: ADMIN) { id } }""",
                Map.of("h", householdId, "email", attackerEmail)));

        attempts.put("revokeShare (household membership)", new Attempt(
                "mutation($id: ID!) { revokeShare(shareId: $id) { id } }", Map.of("id", memberShareId)));
        attempts.put("cancelInvitation (household)", new Attempt(
                "mutation($id: ID!) { cancelInvitation(invitationId: $id) { id } }", Map.of("id", householdInvitationId)));
        attempts.put("acceptInvitation (someone else's)", new Attempt(
                "mutation($id: ID!) { acceptInvitation(invitationId: $id) { id } }", Map.of("id", householdInvitationId)));
        attempts.put("removeHouseholdMember (the attacker, never a member)", new Attempt("""
                mutation($h: ID!, $u: ID!) { removeHouseholdMember(householdId: $h, userId: $u) { id } }""",
                Map.of("h", householdId, "u", attackerId())));
        attempts.put("leaveAppliance", new Attempt("mutation($id: ID!) { leaveAppliance(applianceId: $id) }",
                Map.of("id", applianceId)));
        attempts.put("command", new Attempt("query($id: ID!) { command(id: $id) { id status } }",
                Map.of("id", victimCommandId)));

        attempts.forEach((name, attempt) -> {
            JsonPath result = json(GraphQL.post(attacker, attempt.query(), attempt.variables()));
            assertThat(result.getString("errors[0].extensions.code")).as("%s by the attacker: %s", name,
                    result.prettify()).isEqualTo("NOT_FOUND");
            assertThat(firstDataValue(result)).as("%s returns no data", name).isNull();
            assertThat(snapshot()).as("nothing changed after %s", name).isEqualTo(before);
        });

        // The attacker's own world did not gain anything either.
        JsonPath mine = ok(GraphQL.post(attacker, "{ appliances { id } households { id } myPreferences { applianceId } }"));
        assertThat(mine.getList("data.appliances")).isEmpty();
        assertThat(mine.<String> getList("data.households.id")).containsExactly(attackerHouseholdId);
        assertThat(mine.getList("data.myPreferences")).isEmpty();
    }

    @Test
    void anotherUsersIdAndAnUnknownIdGetTheSameNotFound() {
        String query = "query($id: ID!) { appliance(id: $id) { id } }";
        JsonPath others = json(GraphQL.post(attacker, query, Map.of("id", applianceId)));
        JsonPath unknown = json(GraphQL.post(attacker, query, Map.of("id", UUID.randomUUID().toString())));
        assertThat(others.getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(unknown.getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(others.getString("errors[0].message")).isEqualTo(unknown.getString("errors[0].message"));

        String rename = "mutation($id: ID!) { renameAppliance(applianceId: $id, name: \"x\") { id } }";
        assertThat(json(GraphQL.post(attacker, rename, Map.of("id", applianceId))).getString("errors[0].message"))
                .isEqualTo(json(GraphQL.post(attacker, rename, Map.of("id", UUID.randomUUID().toString())))
                        .getString("errors[0].message"));

        String revoke = "mutation($id: ID!) { revokeShare(shareId: $id) { id } }";
        JsonPath otherShare = json(GraphQL.post(attacker, revoke, Map.of("id", familyShareId)));
        JsonPath unknownShare = json(GraphQL.post(attacker, revoke, Map.of("id", UUID.randomUUID().toString())));
        assertThat(otherShare.getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(unknownShare.getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");

        String household = """
                mutation($h: ID!, $email: String!) {
                  addHouseholdMember(householdId: $h, email: $email, role: FAMILY) { id } }""";
        String email = Tokens.uniqueUsername("x") + "@example.com";
        assertThat(json(GraphQL.post(attacker, household, Map.of("h", householdId, "email", email)))
                .getString("errors[0].message"))
                .isEqualTo(json(GraphQL.post(attacker, household, Map.of("h", UUID.randomUUID().toString(),
                        "email", email))).getString("errors[0].message"));
    }

    @Test
    void malformedIdsAreNotFound() {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("appliance", "query($id: ID!) { appliance(id: $id) { id } }");
        queries.put("renameAppliance", "mutation($id: ID!) { renameAppliance(applianceId: $id, name: \"x\") { id } }");
        queries.put("sendCommand", "mutation($id: ID!) { sendCommand(applianceId: $id, command: START) { id } }");
        queries.put("revokeShare", "mutation($id: ID!) { revokeShare(shareId: $id) { id } }");
        queries.put("cancelInvitation", "mutation($id: ID!) { cancelInvitation(invitationId: $id) { id } }");
        queries.put("removeAppliance", "mutation($id: ID!) { removeAppliance(applianceId: $id) }");
        queries.put("shareAppliance", """
                mutation($id: ID!) { shareAppliance(applianceId: $id, recipientEmail: "a@example.com", role: FAMILY) {
                  share { id } } }""");
        queries.put("updatePreferences", """
                mutation($id: ID!) { updatePreferences(applianceId: $id, settings: "{}") { version } }""");
        queries.forEach((name, query) -> {
            for (String token : List.of(victim, attacker)) {
                JsonPath result = json(GraphQL.post(token, query, Map.of("id", "not-a-uuid")));
                assertThat(result.getString("errors[0].extensions.code")).as("%s with a malformed id: %s", name,
                        result.prettify()).isEqualTo("NOT_FOUND");
            }
        });
    }

    @Test
    void sharingInputIsValidated() {
        Map<String, Object> before = snapshot();

        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", victimEmail, "role", "FAMILY")),
                "VALIDATION", "sharing with yourself");
        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", victimEmail.toUpperCase(),
                "role", "GUEST")), "VALIDATION", "sharing with yourself, upper case");
        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", "not-an-email", "role", "FAMILY")),
                "VALIDATION", "malformed email");
        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", "a@@b", "role", "FAMILY")),
                "VALIDATION", "malformed email a@@b");
        assertCode(GraphQL.post(victim, """
                mutation($id: ID!, $email: String!, $until: DateTime) {
                  shareAppliance(applianceId: $id, recipientEmail: $email, role: GUEST, expiresAt: $until) {
                    share { id } invitation { id } } }""",
                Map.of("id", applianceId, "email", Tokens.uniqueUsername("later") + "@example.com",
                        "until", "2020-01-01T00:00:00Z")), "VALIDATION", "expiresAt in the past");
        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId,
                "email", Tokens.uniqueUsername("adm") + "@example.com", "role", "ADMIN")), "VALIDATION", "role ADMIN");
        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId,
                "email", Tokens.uniqueUsername("own") + "@example.com", "role", "OWNER")), "VALIDATION", "role OWNER");
        assertCode(GraphQL.post(victim, """
                mutation($id: ID!) {
                  shareAppliance(applianceId: $id, recipientEmail: "someone@example.com", role: OWNERX) {
                    share { id } } }""", Map.of("id", applianceId)), "GRAPHQL_VALIDATION_FAILED", "role OWNERX");
        assertCode(GraphQL.post(victim, SHARE, Map.of("id", applianceId, "email", "someone@example.com",
                "role", "OWNERX")), "GRAPHQL_VALIDATION_FAILED", "role OWNERX as a variable");

        assertThat(snapshot()).as("invalid shares change nothing").isEqualTo(before);
    }

    @Test
    void oversizedSettingsAreRejected() {
        String big = "{\"a\":\"" + "x".repeat(16384) + "\"}";
        assertCode(GraphQL.post(victim, """
                mutation($id: ID!, $settings: JSON!) {
                  updatePreferences(applianceId: $id, settings: $settings, expectedVersion: 0) { version } }""",
                Map.of("id", applianceId, "settings", big)), "VALIDATION", "settings over 16384 bytes");
        assertThat(database.count("select count(*) from preference where appliance_id = $1",
                UUID.fromString(applianceId))).isZero();

        // Just within the limit is fine.
        String fits = "{\"a\":\"" + "x".repeat(16384 - 8) + "\"}";
        assertThat(fits.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(16384);
        ok(GraphQL.post(victim, """
                mutation($id: ID!, $settings: JSON!) {
                  updatePreferences(applianceId: $id, settings: $settings, expectedVersion: 0) { version } }""",
                Map.of("id", applianceId, "settings", fits)));
    }

    @Test
    void aGuestMayViewButNotRevokeTheOwnersOtherShare() {
        ok(GraphQL.post(guestToken, "query($id: ID!) { appliance(id: $id) { id myRole } }", Map.of("id", applianceId)));
        Map<String, Object> before = snapshot();
        assertCode(GraphQL.post(guestToken, "mutation($id: ID!) { revokeShare(shareId: $id) { id } }",
                Map.of("id", familyShareId)), "FORBIDDEN", "guest revoking the family share");
        assertThat(snapshot()).isEqualTo(before);
        // The family member still has their share.
        ok(GraphQL.post(familyToken, "query($id: ID!) { appliance(id: $id) { id } }", Map.of("id", applianceId)));
    }

    private String attackerId() {
        return ok(GraphQL.post(attacker, "{ me { id } }")).getString("data.me.id");
    }

    private record Attempt(String query, Map<String, Object> variables) {
    }

    /** What the victim sees and what the database holds for the victim's appliance and household. */
    private Map<String, Object> snapshot() {
        UUID appliance = UUID.fromString(applianceId);
        UUID household = UUID.fromString(householdId);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("victim's appliance", ok(GraphQL.post(victim, VICTIM_APPLIANCE, Map.of("id", applianceId)))
                .getMap("data.appliance"));
        state.put("victim's households", ok(GraphQL.post(victim, VICTIM_HOUSEHOLDS)).getList("data.households"));
        state.put("appliance row", database.count("""
                select count(*) from appliance where id = $1 and owner_id = $2 and household_id is null
                  and name = 'Victim''s oven'""", appliance, UUID.fromString(victimId)));
        state.put("active appliance shares", database.count(
                "select count(*) from share where appliance_id = $1 and revoked_at is null", appliance));
        state.put("all appliance shares", database.count("select count(*) from share where appliance_id = $1",
                appliance));
        state.put("household shares", database.count("select count(*) from share where household_id = $1", household));
        state.put("active household shares", database.count(
                "select count(*) from share where household_id = $1 and revoked_at is null", household));
        state.put("appliance invitations", database.count("select count(*) from invitation where appliance_id = $1",
                appliance));
        state.put("pending appliance invitations", database.count("""
                select count(*) from invitation where appliance_id = $1
                  and accepted_at is null and cancelled_at is null""", appliance));
        state.put("household invitations", database.count("select count(*) from invitation where household_id = $1",
                household));
        state.put("commands", database.count("select count(*) from command where appliance_id = $1", appliance));
        state.put("preferences", database.count("select count(*) from preference where appliance_id = $1", appliance));
        state.put("attacker's household appliances", database.count(
                "select count(*) from appliance where household_id = $1", UUID.fromString(attackerHouseholdId)));
        return state;
    }

    private static Object firstDataValue(JsonPath result) {
        Map<String, Object> data = result.getMap("data");
        if (data == null) {
            return null;
        }
        return data.values().stream().filter(v -> v != null).findFirst().orElse(null);
    }

    private static void assertCode(Response response, String code, String what) {
        JsonPath result = json(response);
        assertThat(result.getString("errors[0].extensions.code")).as("%s: %s", what, result.prettify()).isEqualTo(code);
    }

    private static String provisionAndClaim(String owner, String type) {
        String operator = Tokens.forUser(Tokens.uniqueUsername("operator"), Tokens.uniqueUsername("op") + "@example.com",
                List.of("admin"));
        String serial = "SN-" + UUID.randomUUID();
        String claimCode = "CC-" + UUID.randomUUID().toString().substring(0, 12);
        Map<String, Object> variables = new HashMap<>();
        variables.put("serial", serial);
        variables.put("type", type);
        variables.put("code", claimCode);
        ok(GraphQL.post(operator, """
                mutation($serial: String!, $type: ApplianceType!, $code: String!) {
                  provisionAppliance(serialNumber: $serial, type: $type, claimCode: $code) { id } }""", variables));
        return ok(GraphQL.post(owner, """
                mutation($serial: String!, $code: String!) {
                  claimAppliance(serialNumber: $serial, claimCode: $code, name: "Victim's oven") { id } }""",
                Map.of("serial", serial, "code", claimCode))).getString("data.claimAppliance.id");
    }

    private static void signIn(String token) {
        ok(GraphQL.post(token, "{ me { id } }"));
    }

    private static JsonPath json(Response response) {
        return response.then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath ok(Response response) {
        JsonPath json = json(response);
        assertThat(json.getList("errors")).as("errors: %s", json.prettify()).isNull();
        return json;
    }
}
