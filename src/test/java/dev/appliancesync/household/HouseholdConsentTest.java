package dev.appliancesync.household;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.Tokens;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Households by consent: invitations the invitee accepts, only the owner touches admins, emails by policy. */
@QuarkusTest
class HouseholdConsentTest {

    private static final String INVITE_ALL_FIELDS = """
            mutation($h: ID!, $e: String!, $r: Role!) {
              addHouseholdMember(householdId: $h, email: $e, role: $r) {
                __typename id applianceId householdId email role capabilities createdAt expiresAt } }""";
    private static final String INVITE = """
            mutation($h: ID!, $e: String!, $r: Role!) { addHouseholdMember(householdId: $h, email: $e, role: $r) { id } }""";
    private static final String REMOVE = """
            mutation($h: ID!, $u: ID!) { removeHouseholdMember(householdId: $h, userId: $u) { id revokeReason } }""";
    private static final String REVOKE = "mutation($s: ID!) { revokeShare(shareId: $s) { id } }";
    private static final String MEMBERS = """
            { households { id myActions members { recipient { id username email } role grantedBy { username email } }
              invitations { email } } }""";

    @Test
    void anAdminCannotDemoteOrRemoveAnotherAdminButTheOwnerCan() {
        User owner = User.signedIn("owner");
        User admin = User.signedIn("admin");
        User otherAdmin = User.signedIn("other-admin");
        String household = household(owner);
        Households.join(owner.token(), household, admin.email(), admin.token(), "ADMIN");
        String otherAdminShare = Households.join(owner.token(), household, otherAdmin.email(), otherAdmin.token(), "ADMIN");

        // The attack of the finding: re-invite the other admin as GUEST (the new role is not ADMIN), then remove them.
        assertForbidden(GraphQL.post(admin.token(), INVITE, Map.of("h", household, "e", otherAdmin.email(), "r", "GUEST")));
        assertForbidden(GraphQL.post(admin.token(), REMOVE, Map.of("h", household, "u", otherAdmin.id())));
        assertForbidden(GraphQL.post(admin.token(), REVOKE, Map.of("s", otherAdminShare)));
        assertThat(roleOf(owner, household, otherAdmin)).isEqualTo("ADMIN");

        // Nor may an admin overwrite the owner's pending ADMIN invitation with a lesser one.
        String invitee = Tokens.uniqueUsername("future-admin") + "@example.com";
        Households.invite(owner.token(), household, invitee, "ADMIN");
        assertForbidden(GraphQL.post(admin.token(), INVITE, Map.of("h", household, "e", invitee, "r", "GUEST")));

        // Admins still manage everyone else.
        User guest = User.signedIn("guest");
        Households.join(admin.token(), household, guest.email(), guest.token(), "GUEST");
        assertThat(ok(GraphQL.post(admin.token(), REMOVE, Map.of("h", household, "u", guest.id())))
                .getString("data.removeHouseholdMember.revokeReason")).isEqualTo("REVOKED");

        // The owner demotes (the member accepts the new role) and removes.
        Households.join(owner.token(), household, otherAdmin.email(), otherAdmin.token(), "GUEST");
        assertThat(roleOf(owner, household, otherAdmin)).isEqualTo("GUEST");
        ok(GraphQL.post(owner.token(), REMOVE, Map.of("h", household, "u", admin.id())));
        assertThat(ok(GraphQL.post(admin.token(), "{ households { id } }")).getList("data.households")).isEmpty();
    }

    @Test
    void addingAMemberAnswersTheSameForRegisteredAndUnknownEmailsAndGrantsNothingUntilAccepted() {
        User owner = User.signedIn("owner");
        User registered = User.signedIn("registered");
        String unknownName = Tokens.uniqueUsername("unknown");
        String unknownEmail = unknownName + "@example.com";
        String household = household(owner);

        JsonPath toRegistered = ok(GraphQL.post(owner.token(), INVITE_ALL_FIELDS,
                Map.of("h", household, "e", registered.email(), "r", "FAMILY")));
        JsonPath toUnknown = ok(GraphQL.post(owner.token(), INVITE_ALL_FIELDS,
                Map.of("h", household, "e", unknownEmail, "r", "FAMILY")));
        Map<String, Object> registeredAnswer = toRegistered.getMap("data.addHouseholdMember");
        Map<String, Object> unknownAnswer = toUnknown.getMap("data.addHouseholdMember");
        assertThat(registeredAnswer.get("email")).isEqualTo(registered.email());
        assertThat(unknownAnswer.get("email")).isEqualTo(unknownEmail);
        // Identical but for what must differ: the invitation's own id and time, and the email the caller typed.
        assertThat(withoutOwnFacts(registeredAnswer)).isEqualTo(withoutOwnFacts(unknownAnswer))
                .containsEntry("__typename", "Invitation").containsEntry("role", "FAMILY")
                .containsEntry("householdId", household);

        // Not a member yet: the household is invisible to them and has no members.
        assertThat(ok(GraphQL.post(registered.token(), "{ households { id } }")).getList("data.households")).isEmpty();
        assertThat(ok(GraphQL.post(owner.token(), MEMBERS)).getList("data.households[0].members")).isEmpty();

        // The registered invitee hears of it and sees the invitation, and accepts it.
        assertThat(ok(GraphQL.post(registered.token(), "{ changes(limit: 100) { changes { type householdId } } }"))
                .<String> getList("data.changes.changes.findAll { it.householdId == '" + household + "' }.type"))
                .containsExactly("INVITATION_CREATED");
        JsonPath mine = ok(GraphQL.post(registered.token(), "{ myInvitations { id householdId role } }"));
        assertThat(mine.getString("data.myInvitations[0].id")).isEqualTo(registeredAnswer.get("id"));
        Households.accept(registered.token(), (String) registeredAnswer.get("id"));
        assertThat(ok(GraphQL.post(registered.token(), "{ households { id myRole } }")).getString("data.households[0].myRole"))
                .isEqualTo("FAMILY");

        // The unregistered one signs up: still not a member (signing in accepts nothing) until they accept.
        String unknownToken = Tokens.forUser(unknownName);
        assertThat(ok(GraphQL.post(unknownToken, "{ households { id } }")).getList("data.households")).isEmpty();
        assertThat(ok(GraphQL.post(unknownToken, "{ myInvitations { id } }")).getString("data.myInvitations[0].id"))
                .isEqualTo(unknownAnswer.get("id"));
        // Someone else cannot accept it for them.
        assertThat(GraphQL.post(registered.token(), "mutation($i: ID!) { acceptInvitation(invitationId: $i) { id } }",
                Map.of("i", unknownAnswer.get("id"))).jsonPath().getString("errors[0].extensions.code"))
                .isEqualTo("NOT_FOUND");
        Households.accept(unknownToken, (String) unknownAnswer.get("id"));
        assertThat(ok(GraphQL.post(unknownToken, "{ households { id } }")).getList("data.households.id"))
                .containsExactly(household);
    }

    @Test
    void anInviteeMayDecline() {
        User owner = User.signedIn("owner");
        User invitee = User.signedIn("invitee");
        String household = household(owner);
        String invitation = Households.invite(owner.token(), household, invitee.email(), "GUEST");

        ok(GraphQL.post(invitee.token(), "mutation($i: ID!) { cancelInvitation(invitationId: $i) { id } }",
                Map.of("i", invitation)));
        assertThat(ok(GraphQL.post(invitee.token(), "{ myInvitations { id } }")).getList("data.myInvitations")).isEmpty();
        assertThat(ok(GraphQL.post(owner.token(), MEMBERS)).getList("data.households[0].invitations")).isEmpty();
        assertThat(GraphQL.post(invitee.token(), "mutation($i: ID!) { acceptInvitation(invitationId: $i) { id } }",
                Map.of("i", invitation)).jsonPath().getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(ok(GraphQL.post(invitee.token(), "{ households { id } }")).getList("data.households")).isEmpty();
    }

    @Test
    void membersSeeEachOthersNamesAndOnlyThoseWhoMayManageMembersSeeEmails() {
        User owner = User.signedIn("owner");
        User admin = User.signedIn("admin");
        User family = User.signedIn("family");
        User guest = User.signedIn("guest");
        String household = household(owner);
        Households.join(owner.token(), household, admin.email(), admin.token(), "ADMIN");
        Households.join(admin.token(), household, family.email(), family.token(), "FAMILY");
        Households.join(admin.token(), household, guest.email(), guest.token(), "GUEST");

        for (User member : List.of(family, guest)) {
            JsonPath seen = ok(GraphQL.post(member.token(), MEMBERS));
            assertThat(seen.<String> getList("data.households[0].members.recipient.username"))
                    .containsExactlyInAnyOrder(admin.username(), family.username(), guest.username());
            assertThat(seen.<String> getList("data.households[0].members.recipient.email")).containsOnlyNulls();
            assertThat(seen.<String> getList("data.households[0].members.grantedBy.email")).containsOnlyNulls();
            assertThat(seen.<String> getList("data.households[0].myActions")).containsExactly("VIEW_HOUSEHOLD");
            assertThat(seen.getList("data.households[0].invitations")).isNull();
        }
        for (User manager : List.of(owner, admin)) {
            JsonPath seen = ok(GraphQL.post(manager.token(), MEMBERS));
            assertThat(seen.<String> getList("data.households[0].members.recipient.email"))
                    .containsExactlyInAnyOrder(admin.email(), family.email(), guest.email());
            assertThat(seen.<String> getList("data.households[0].myActions")).contains("VIEW_MEMBER_EMAILS");
        }
    }

    private static String household(User owner) {
        return ok(GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Home\") { id } }"))
                .getString("data.createHousehold.id");
    }

    private static String roleOf(User viewer, String household, User member) {
        JsonPath seen = ok(GraphQL.post(viewer.token(), MEMBERS));
        return seen.getString("data.households.find { it.id == '" + household + "' }.members.find { it.recipient.id == '"
                + member.id() + "' }.role");
    }

    private static Map<String, Object> withoutOwnFacts(Map<String, Object> invitation) {
        Map<String, Object> rest = new LinkedHashMap<>(invitation);
        assertThat(rest.remove("id")).isNotNull();
        assertThat(rest.remove("createdAt")).isNotNull();
        assertThat(rest.remove("email")).isNotNull();
        return rest;
    }

    private static void assertForbidden(io.restassured.response.Response response) {
        JsonPath json = response.then().statusCode(200).extract().jsonPath();
        assertThat(json.getString("errors[0].extensions.code")).as(json.prettify()).isEqualTo("FORBIDDEN");
    }

    private static JsonPath ok(io.restassured.response.Response response) {
        JsonPath json = response.then().statusCode(200).extract().jsonPath();
        assertThat(json.getList("errors")).as(json.prettify()).isNull();
        return json;
    }
}
