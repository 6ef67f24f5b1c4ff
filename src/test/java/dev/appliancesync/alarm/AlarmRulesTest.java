package dev.appliancesync.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Alarm rules are for operators (Cedar: MANAGE_ALARM_RULES on the fleet), each change audited, bad rules refused. */
@QuarkusTest
class AlarmRulesTest {

    private static final String LIST = "{ alarmRules { id name applianceTypes attribute equals durationSeconds enabled } }";
    private static final String CREATE = """
            mutation($r: AlarmRuleInput!) { createAlarmRule(rule: $r) { id name enabled durationSeconds equals } }""";
    private static final String UPDATE = """
            mutation($i: ID!, $r: AlarmRuleInput!) { updateAlarmRule(id: $i, rule: $r) { id enabled durationSeconds } }""";
    private static final String DELETE = "mutation($i: ID!) { deleteAlarmRule(id: $i) { id } }";

    @Inject
    Database database;

    @Test
    void theSeedsRuleIsThereAfterMigration() {
        User operator = User.signedIn("alarm-operator", List.of("admin"));
        GraphQL.post(operator.token(), LIST).then().statusCode(200).body("errors", nullValue())
                .body("data.alarmRules.find { it.name == 'Fridge door left open' }.applianceTypes", equalTo(List.of("FRIDGE")))
                .body("data.alarmRules.find { it.name == 'Fridge door left open' }.attribute", equalTo("DoorOpened"))
                .body("data.alarmRules.find { it.name == 'Fridge door left open' }.equals", equalTo("true"))
                .body("data.alarmRules.find { it.name == 'Fridge door left open' }.durationSeconds", equalTo(600))
                .body("data.alarmRules.find { it.name == 'Fridge door left open' }.enabled", equalTo(true));
    }

    @Test
    void someoneWhoIsNoOperatorIsRefusedAndTheRefusalAudited() {
        User owner = User.signedIn("not-an-operator");
        GraphQL.post(owner.token(), LIST).then().statusCode(200).body("errors[0].extensions.code", equalTo("FORBIDDEN"));
        GraphQL.post(owner.token(), CREATE, Map.of("r", rule("sneaky " + UUID.randomUUID(), "DoorOpened", "true", 5)))
                .then().statusCode(200).body("errors[0].extensions.code", equalTo("FORBIDDEN"));
        assertThat(database.count("select count(*) from audit_log where actor_id = $1 and action = 'MANAGE_ALARM_RULES' "
                + "and decision = 'DENY'", UUID.fromString(owner.id()))).isOne();
        assertThat(database.count("select count(*) from alarm_rule where name like 'sneaky %'")).isZero();
    }

    @Test
    void anOperatorCreatesChangesAndDeletesARuleAndEachChangeIsAudited() {
        User operator = User.signedIn("alarm-operator", List.of("admin"));
        String name = "freezer " + UUID.randomUUID();
        String id = ok(GraphQL.post(operator.token(), CREATE, Map.of("r", rule(name, "RunningMode", "\"ECO\"", 30))))
                .path("data.createAlarmRule.id");
        GraphQL.post(operator.token(), LIST).then().body("data.alarmRules.name", hasItem(name))
                .body("data.alarmRules.find { it.id == '" + id + "' }.equals", equalTo("\"ECO\""));

        Map<String, Object> disabled = rule(name, "RunningMode", "\"ECO\"", 60);
        disabled.put("enabled", false);
        Response updated = ok(GraphQL.post(operator.token(), UPDATE, Map.of("i", id, "r", disabled)));
        assertThat((Boolean) updated.path("data.updateAlarmRule.enabled")).isFalse();
        assertThat((Integer) updated.path("data.updateAlarmRule.durationSeconds")).isEqualTo(60);

        ok(GraphQL.post(operator.token(), DELETE, Map.of("i", id)));
        GraphQL.post(operator.token(), LIST).then().body("data.alarmRules.name", not(hasItem(name)));
        GraphQL.post(operator.token(), DELETE, Map.of("i", id)).then()
                .body("errors[0].extensions.code", equalTo("NOT_FOUND"));

        assertThat(database.strings("select context ->> 'operation' from audit_log where actor_id = $1 and action = "
                + "'MANAGE_ALARM_RULES' and decision = 'ALLOW' and resource = $2 order by id",
                UUID.fromString(operator.id()), "alarm-rule/" + id)).containsExactly("CREATE", "UPDATE", "DELETE");
        assertThat(database.strings("select context -> 'rule' ->> 'durationSeconds' from audit_log where resource = $1 "
                + "and context ->> 'operation' = 'UPDATE'", "alarm-rule/" + id)).containsExactly("60");
    }

    @Test
    void aBadRuleIsAValidationErrorNamingTheFieldAndATakenNameAConflict() {
        User operator = User.signedIn("alarm-operator", List.of("admin"));
        String name = "door " + UUID.randomUUID();
        refused(operator, rule(name, "reported.DoorOpened", "true", 30), "VALIDATION", "attribute");
        refused(operator, rule(name, "DoorOpened", "open", 30), "VALIDATION", "equals");
        refused(operator, rule(name, "DoorOpened", "null", 30), "VALIDATION", "equals");
        refused(operator, rule(name, "DoorOpened", "true", 0), "VALIDATION", "durationSeconds");
        Map<String, Object> noTypes = rule(name, "DoorOpened", "true", 30);
        noTypes.put("applianceTypes", List.of());
        refused(operator, noTypes, "VALIDATION", "applianceTypes");

        ok(GraphQL.post(operator.token(), CREATE, Map.of("r", rule(name, "DoorOpened", "true", 30))));
        refused(operator, rule(name, "DoorOpened", "false", 30), "CONFLICT", "");
        String id = database.strings("select id from alarm_rule where name = $1", name).getFirst();
        ok(GraphQL.post(operator.token(), DELETE, Map.of("i", id)));
    }

    private static void refused(User operator, Map<String, Object> rule, String code, String field) {
        String message = GraphQL.post(operator.token(), CREATE, Map.of("r", rule)).then().statusCode(200)
                .body("errors[0].extensions.code", equalTo(code)).extract().path("errors[0].message");
        assertThat(message).contains(field);
    }

    private static Response ok(Response response) {
        response.then().statusCode(200).body("errors", nullValue());
        return response;
    }

    private static Map<String, Object> rule(String name, String attribute, String equals, int seconds) {
        Map<String, Object> rule = new HashMap<>();
        rule.put("name", name);
        rule.put("applianceTypes", List.of("FRIDGE"));
        rule.put("attribute", attribute);
        rule.put("equals", equals);
        rule.put("durationSeconds", seconds);
        return rule;
    }
}
