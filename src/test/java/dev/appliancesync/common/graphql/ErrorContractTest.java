package dev.appliancesync.common.graphql;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.stringContainsInOrder;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The error contract's sharp edges, as a front-end meets them: the JSON scalar takes an object as Apollo and Amplify
 * send it, and each mistake gets exactly one plain error with a documented code and no engine jargon.
 */
@QuarkusTest
class ErrorContractTest {

    private static final String UPDATE = """
            mutation($a: ID!, $s: JSON!) { updatePreferences(applianceId: $a, settings: $s) { settings version } }""";
    private static final String SHARE = """
            mutation($a: ID!, $c: [Capability], $x: DateTime) {
              shareAppliance(applianceId: $a, recipientEmail: "someone@example.com", role: GUEST,
                             capabilities: $c, expiresAt: $x) { __typename } }""";

    private User owner;
    private String applianceId;

    @BeforeEach
    void anOwnedAppliance() {
        owner = User.signedIn("contract");
        applianceId = Appliances.claimed(owner.token(), "COOKER").id();
    }

    @Test
    void theJsonScalarTakesAnObjectAsAVariableInlineOrAsAString() {
        GraphQL.post(owner.token(), UPDATE, Map.of("a", applianceId, "s", Map.of("unit", "C", "levels", 3)))
                .then().statusCode(200).body("errors", nullValue())
                .body("data.updatePreferences.settings", equalTo("{\"unit\":\"C\",\"levels\":3}"));
        GraphQL.post(owner.token(), "mutation($a: ID!) { updatePreferences(applianceId: $a, "
                + "settings: {unit: \"F\", nested: {on: true, list: [1, 2.5, null]}}) { settings } }",
                Map.of("a", applianceId))
                .then().statusCode(200).body("errors", nullValue())
                .body("data.updatePreferences.settings",
                        equalTo("{\"unit\":\"F\",\"nested\":{\"on\":true,\"list\":[1,2.5,null]}}"));
        GraphQL.post(owner.token(), UPDATE, Map.of("a", applianceId, "s", "{\"unit\":\"K\"}"))
                .then().statusCode(200).body("errors", nullValue())
                .body("data.updatePreferences.settings", equalTo("{\"unit\":\"K\"}"));
    }

    @Test
    void aNullCapabilityIsOneValidationErrorNamingTheArgument() {
        GraphQL.post(owner.token(), SHARE, Map.of("a", applianceId, "c", Arrays.asList("VIEW_STATUS", null)))
                .then().statusCode(200)
                .body("errors", hasSize(1))
                .body("errors[0].extensions.code", equalTo("VALIDATION"))
                .body("errors[0].message", containsString("'capabilities'"))
                .body("errors[0].message", containsString("never null"))
                .body("errors[0].extensions", not(org.hamcrest.Matchers.hasKey("classification")));
    }

    @Test
    void aDateTimeWithoutOffsetIsOneErrorThatShowsTheFormat() {
        for (String wrong : new String[] { "yesterday", "2026-01-01T00:00:00" }) {
            GraphQL.post(owner.token(), SHARE, Map.of("a", applianceId, "x", wrong)).then().statusCode(200)
                    .body("errors", hasSize(1))
                    .body("errors[0].extensions.code", equalTo("GRAPHQL_VALIDATION_FAILED"))
                    .body("errors[0].message", equalTo("Variable 'x' must be a date and time with an offset, "
                            + "such as 2026-01-01T00:00:00Z"));
        }
        GraphQL.post(owner.token(), """
                mutation($a: ID!) { shareAppliance(applianceId: $a, recipientEmail: "someone@example.com",
                                                   role: GUEST, expiresAt: "yesterday") { __typename } }""",
                Map.of("a", applianceId))
                .then().statusCode(200)
                .body("errors", hasSize(1))
                .body("errors[0].message", equalTo("Argument 'expiresAt' of shareAppliance must be a date and "
                        + "time with an offset, such as 2026-01-01T00:00:00Z"));
    }

    @Test
    void aWrongEnumListsTheAllowedValues() {
        GraphQL.post(owner.token(), """
                mutation($a: ID!) {
                  shareAppliance(applianceId: $a, recipientEmail: "a@example.com", role: EXPLODE) { __typename } }""", Map.of("a", applianceId))
                .then().statusCode(200)
                .body("errors", hasSize(1))
                .body("errors[0].message", startsWith("Argument 'role' of shareAppliance must be one of "))
                .body("errors[0].message", stringContainsInOrder("ADMIN", ", ", "GUEST"))
                .body("errors[0].extensions", equalTo(Map.of("code", "GRAPHQL_VALIDATION_FAILED")));
    }
}
