package dev.appliancesync.support;

import static org.hamcrest.Matchers.nullValue;

import java.util.Map;

/** Household membership as a person gets it: invited by someone who may manage members, then accepting. */
public final class Households {

    private static final String INVITE = """
            mutation($h: ID!, $e: String!, $r: Role!) {
              addHouseholdMember(householdId: $h, email: $e, role: $r) { id } }""";
    private static final String ACCEPT = "mutation($i: ID!) { acceptInvitation(invitationId: $i) { id role } }";

    private Households() {
    }

    /** {@code inviterToken} invites {@code email} as {@code role}; returns the invitation's id. */
    public static String invite(String inviterToken, String householdId, String email, String role) {
        return GraphQL.post(inviterToken, INVITE, Map.of("h", householdId, "e", email, "r", role)).then()
                .statusCode(200).body("errors", nullValue()).extract().path("data.addHouseholdMember.id");
    }

    /** The invitee accepts; returns the membership's share id. */
    public static String accept(String inviteeToken, String invitationId) {
        return GraphQL.post(inviteeToken, ACCEPT, Map.of("i", invitationId)).then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.acceptInvitation.id");
    }

    /** Invites and accepts: the member's share id. */
    public static String join(String inviterToken, String householdId, String inviteeEmail, String inviteeToken,
            String role) {
        return accept(inviteeToken, invite(inviterToken, householdId, inviteeEmail, role));
    }
}
