package dev.appliancesync.support;

import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Appliances as tests need them: provisioned by an operator, then claimed by their owner through the API. */
public final class Appliances {

    private static final String OPERATOR = Tokens.uniqueUsername("operator");

    private Appliances() {
    }

    public record Claimed(String id, String serialNumber, String claimCode) {
    }

    public static String operatorToken() {
        return Tokens.forUser(OPERATOR, OPERATOR + "@example.com", List.of("admin"));
    }

    /** Provisions an appliance of {@code type} with a fresh serial and claim code; returns {serial, code}. */
    public static String[] provision(String type) {
        String serial = "SN-" + UUID.randomUUID().toString().substring(0, 13);
        String code = "code-" + UUID.randomUUID().toString().substring(0, 8);
        GraphQL.post(operatorToken(), """
                mutation($s: String!, $t: ApplianceType!, $c: String!) {
                  provisionAppliance(serialNumber: $s, type: $t, claimCode: $c) { id } }""",
                Map.of("s", serial, "t", type, "c", code))
                .then().statusCode(200).body("errors", nullValue());
        return new String[] { serial, code };
    }

    public static Claimed claimed(String ownerToken, String type) {
        String[] provisioned = provision(type);
        String id = GraphQL.post(ownerToken, """
                mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c, name: "Kitchen") { id } }""",
                Map.of("s", provisioned[0], "c", provisioned[1]))
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.claimAppliance.id");
        return new Claimed(id, provisioned[0], provisioned[1]);
    }

    /** Shares and returns the share id (the recipient must have signed in before). */
    public static String share(String ownerToken, String applianceId, String email, String role) {
        return GraphQL.post(ownerToken, """
                mutation($a: ID!, $e: String!, $r: Role!) {
                  shareAppliance(applianceId: $a, recipientEmail: $e, role: $r) { share { id } invitation { id } } }""",
                Map.of("a", applianceId, "e", email, "r", role))
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.shareAppliance.share.id");
    }
}
