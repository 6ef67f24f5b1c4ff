package dev.appliancesync.cluster;

import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.appliancesync.support.Tokens;

/** A test user of a cluster: unique name, verified email, and a token every instance accepts. */
public record ClusterUser(String username, String email, String token) {

    public static ClusterUser of(SharedServices services, String prefix) {
        return of(services, prefix, List.of());
    }

    public static ClusterUser of(SharedServices services, String prefix, List<String> groups) {
        String username = Tokens.uniqueUsername(prefix);
        String email = username + "@example.com";
        return new ClusterUser(username, email, services.token(username, email, groups));
    }

    /** Signs in on that instance (the first authenticated call creates the account); returns the user's id. */
    public String signIn(ServiceInstance instance) {
        return data(instance, "{ me { id } }", Map.of()).path("data.me.id");
    }

    /** A request that must succeed; returns the response for its data. */
    public io.restassured.response.ExtractableResponse<io.restassured.response.Response> data(ServiceInstance instance,
            String query, Map<String, Object> variables) {
        return instance.graphql(token, query, variables).then().statusCode(200).body("errors", nullValue()).extract();
    }

    /** Provisions (as {@code operator}, group admin) and claims (as this user) an appliance; returns its id. */
    public String claimAppliance(ServiceInstance instance, ClusterUser operator, String type) {
        String serial = "SN-" + UUID.randomUUID().toString().substring(0, 13);
        String code = "code-" + UUID.randomUUID().toString().substring(0, 8);
        operator.data(instance, """
                mutation($s: String!, $t: ApplianceType!, $c: String!) {
                  provisionAppliance(serialNumber: $s, type: $t, claimCode: $c) { id } }""",
                Map.of("s", serial, "t", type, "c", code));
        return data(instance, """
                mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c, name: "Kitchen") { id } }""",
                Map.of("s", serial, "c", code)).path("data.claimAppliance.id");
    }

    /** Shares (or changes the role of an existing share) with someone who has signed in; returns the share id. */
    public String share(ServiceInstance instance, String applianceId, ClusterUser recipient, String role) {
        return data(instance, """
                mutation($a: ID!, $e: String!, $r: Role!) {
                  shareAppliance(applianceId: $a, recipientEmail: $e, role: $r) { share { id } invitation { id } } }""",
                Map.of("a", applianceId, "e", recipient.email(), "r", role)).path("data.shareAppliance.share.id");
    }

    public void rename(ServiceInstance instance, String applianceId, String name) {
        data(instance, "mutation($a: ID!, $n: String!) { renameAppliance(applianceId: $a, name: $n) { id name } }",
                Map.of("a", applianceId, "n", name));
    }
}
