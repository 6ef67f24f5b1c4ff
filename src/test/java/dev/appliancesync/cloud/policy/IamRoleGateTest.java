package dev.appliancesync.cloud.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** IAM condition semantics on principal tags, then the identity-pool role policy this project ships. */
class IamRoleGateTest {

    private static final String ARN = "arn:aws:iot:us-east-1:123456789012:";
    private static final String IDENTITY = "us-east-1:0f5e7c1a-1111-2222-3333-444455556666";
    private static final Map<String, String> SUB = Map.of("cognito-identity.amazonaws.com:sub", IDENTITY);

    /** A role policy allowing iot:Receive on topic/a under one condition. */
    private static IamRoleGate receiveIf(String operator, String key, String values) {
        return new IamRoleGate("""
                {"Version": "2012-10-17", "Statement": [{"Sid": "Gate", "Effect": "Allow", "Action": "iot:Receive",
                  "Resource": "%stopic/a", "Condition": {"%s": {"%s": %s}}}]}""".formatted(ARN, operator, key, values));
    }

    private static boolean receives(IamRoleGate gate, Map<String, String> tags) {
        return gate.decide("iot:Receive", ARN + "topic/a", tags, Map.of()).allowed();
    }

    @Nested
    class Conditions {

        @Test
        void aMissingKeyMakesPositiveOperatorsFalse() {
            for (String operator : new String[] { "StringEquals", "StringLike", "StringEqualsIgnoreCase" }) {
                IamRoleGate gate = receiveIf(operator, "aws:PrincipalTag/team", "\"kitchen\"");
                assertThat(receives(gate, Map.of())).as(operator).isFalse();
                assertThat(receives(gate, Map.of("team", "kitchen"))).as(operator).isTrue();
            }
        }

        @Test
        void aMissingKeyMakesNegatedOperatorsTrue() {
            for (String operator : new String[] { "StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase" }) {
                IamRoleGate gate = receiveIf(operator, "aws:PrincipalTag/team", "\"kitchen\"");
                assertThat(receives(gate, Map.of())).as(operator).isTrue();
                assertThat(receives(gate, Map.of("team", "kitchen"))).as(operator).isFalse();
                assertThat(receives(gate, Map.of("team", "garden"))).as(operator).isTrue();
            }
        }

        @Test
        void ifExistsMakesAMissingKeyTrueEvenForPositiveOperators() {
            IamRoleGate gate = receiveIf("StringEqualsIfExists", "aws:PrincipalTag/team", "\"kitchen\"");
            assertThat(receives(gate, Map.of())).isTrue();
            assertThat(receives(gate, Map.of("team", "garden"))).isFalse();
            assertThat(receives(gate, Map.of("team", "kitchen"))).isTrue();
        }

        @Test
        void severalValuesAreAlternativesAndNegationMeansNoneOfThem() {
            IamRoleGate any = receiveIf("StringEquals", "aws:PrincipalTag/iot_access", "[\"view\", \"control\"]");
            assertThat(receives(any, Map.of("iot_access", "control"))).isTrue();
            assertThat(receives(any, Map.of("iot_access", "none"))).isFalse();
            IamRoleGate none = receiveIf("StringNotEquals", "aws:PrincipalTag/iot_access", "[\"view\", \"control\"]");
            assertThat(receives(none, Map.of("iot_access", "control"))).isFalse();
            assertThat(receives(none, Map.of("iot_access", "none"))).isTrue();
        }

        @Test
        void severalKeysMustAllHold() {
            IamRoleGate gate = receiveIf("StringEquals", "aws:PrincipalTag/a", "\"1\", \"aws:PrincipalTag/b\": \"2\"");
            assertThat(receives(gate, Map.of("a", "1", "b", "2"))).isTrue();
            assertThat(receives(gate, Map.of("a", "1", "b", "3"))).isFalse();
            assertThat(receives(gate, Map.of("a", "1"))).isFalse();
        }

        @Test
        void stringLikeHasWildcardsStringEqualsDoesNot() {
            IamRoleGate like = receiveIf("StringLike", "aws:PrincipalTag/team", "\"kitchen-?-*\"");
            assertThat(receives(like, Map.of("team", "kitchen-1-north"))).isTrue();
            assertThat(receives(like, Map.of("team", "kitchen-12-north"))).isFalse();
            IamRoleGate notLike = receiveIf("StringNotLike", "aws:PrincipalTag/team", "\"kitchen-*\"");
            assertThat(receives(notLike, Map.of("team", "kitchen-1"))).isFalse();
            assertThat(receives(notLike, Map.of("team", "garden"))).isTrue();
            IamRoleGate equals = receiveIf("StringEquals", "aws:PrincipalTag/team", "\"kitchen-*\"");
            assertThat(receives(equals, Map.of("team", "kitchen-1"))).isFalse();
            assertThat(receives(equals, Map.of("team", "kitchen-*"))).isTrue();
        }

        @Test
        void valuesAreCaseSensitiveUnlessTheOperatorSaysOtherwiseKeysAreNot() {
            IamRoleGate gate = receiveIf("StringEquals", "aws:principaltag/TEAM", "\"kitchen\"");
            assertThat(receives(gate, Map.of("team", "kitchen"))).isTrue();
            assertThat(receives(gate, Map.of("team", "Kitchen"))).isFalse();
            IamRoleGate ignoring = receiveIf("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "\"kitchen\"");
            assertThat(receives(ignoring, Map.of("team", "Kitchen"))).isTrue();
        }

        @Test
        void conditionValuesMayHoldVariables() {
            IamRoleGate gate = receiveIf("StringEquals", "aws:PrincipalTag/owner", "\"${aws:PrincipalTag/user}\"");
            assertThat(receives(gate, Map.of("owner", "u1", "user", "u1"))).isTrue();
            assertThat(receives(gate, Map.of("owner", "u1", "user", "u2"))).isFalse();
            assertThat(receives(gate, Map.of("owner", "u1"))).isFalse();
        }
    }

    @Nested
    class PrincipalTagVariables {

        private final IamRoleGate gate = new IamRoleGate("""
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Subscribe",
                  "Resource": "%stopicfilter/households/${aws:PrincipalTag/household}/*"}]}""".formatted(ARN));

        @Test
        void aTagFillsInAResource() {
            assertThat(gate.decide("iot:Subscribe", ARN + "topicfilter/households/h1/#", Map.of("household", "h1"),
                    Map.of()).allowed()).isTrue();
            assertThat(gate.decide("iot:Subscribe", ARN + "topicfilter/households/h2/#", Map.of("household", "h1"),
                    Map.of()).allowed()).isFalse();
        }

        @Test
        void aMissingTagVoidsTheStatement() {
            assertThat(gate.decide("iot:Subscribe", ARN + "topicfilter/households//#", Map.of(), Map.of()))
                    .isEqualTo(new Decision(false, Decision.IMPLICIT_DENY, null, -1, null));
        }
    }

    @Nested
    class ShippedRolePolicy {

        private final IamRoleGate gate = IamRoleGate.forTarget(
                new PolicyTarget("us-east-1", "123456789012", "appliance-sync-"));

        private Decision decide(String action, String resource, Map<String, String> tags) {
            return gate.decide(action, ARN + resource, tags, SUB);
        }

        private static Map<String, String> tags(String access, boolean settings) {
            return Map.of(CloudPrincipalTags.ACCESS, access, CloudPrincipalTags.SETTINGS, Boolean.toString(settings));
        }

        @Test
        void withoutTheAccessTagNothingAtAll() {
            for (Map<String, String> tags : List.of(Map.<String, String>of(), tags("none", true),
                    tags("control", true))) {
                Decision decision = decide("iot:Connect", "client/" + IDENTITY + "-phone", tags);
                assertThat(decision.reason()).isEqualTo(Decision.EXPLICIT_DENY);
                assertThat(decision.statementSid()).isEqualTo("NoIotWithoutAccessTag");
            }
        }

        @Test
        void aViewerConnectsAsThemselvesAndReadsStatusViewsOnly() {
            Map<String, String> viewer = tags("view", false);
            assertThat(decide("iot:Connect", "client/" + IDENTITY + "-phone", viewer).allowed()).isTrue();
            assertThat(decide("iot:Connect", "client/" + IDENTITY + "-tablet", viewer).allowed()).isTrue();
            assertThat(decide("iot:Connect", "client/" + IDENTITY, viewer).allowed()).isFalse();
            assertThat(decide("iot:Connect", "client/someone-else-phone", viewer).allowed()).isFalse();
            assertThat(decide("iot:Subscribe", "topicfilter/view/things/oven1/status", viewer).allowed()).isTrue();
            assertThat(decide("iot:Receive", "topic/view/households/abcdefgh/status/oven1", viewer).allowed())
                    .isTrue();
            assertThat(decide("iot:Receive", "topic/view/things/oven1/settings", viewer).allowed()).isFalse();
            assertThat(decide("iot:Subscribe", "topicfilter/view/households/abcdefgh/settings/#", viewer).allowed())
                    .isFalse();
            assertThat(decide("iot:Subscribe", "topicfilter/appliances/oven1/#", viewer).allowed()).isFalse();
            assertThat(decide("iot:Receive", "topic/$aws/things/oven1/shadow/update/accepted", viewer).allowed())
                    .isFalse();
            assertThat(decide("iot:Receive", "topic/elsewhere/x", viewer).allowed()).isFalse();
        }

        @Test
        void theSettingsViewsNeedTheSettingsTag() {
            Map<String, String> settings = tags("view", true);
            assertThat(decide("iot:Receive", "topic/view/things/oven1/settings", settings).allowed()).isTrue();
            assertThat(decide("iot:Subscribe", "topicfilter/view/households/abcdefgh/settings/+", settings).allowed())
                    .isTrue();
            assertThat(decide("iot:Receive", "topic/view/things/oven1/settings",
                    Map.of(CloudPrincipalTags.ACCESS, "view")).allowed()).as("no settings tag").isFalse();
        }

        @Test
        void nobodyEverPublishes() {
            for (String topic : List.of("topic/view/things/oven1/status", "topic/$aws/things/oven1/shadow/update",
                    "topic/appliances/oven1/commands")) {
                for (String action : List.of("iot:Publish", "iot:RetainPublish")) {
                    Decision decision = decide(action, topic, tags("view", true));
                    assertThat(decision.reason()).as(action + " " + topic).isEqualTo(Decision.EXPLICIT_DENY);
                    assertThat(decision.statementSid()).isEqualTo("AppsNeverPublish");
                }
            }
        }

        @Test
        void withoutAnIdentityIdNobodyConnects() {
            assertThat(gate.decide("iot:Connect", ARN + "client/" + IDENTITY + "-phone", tags("view", false), Map.of())
                    .allowed()).isFalse();
        }
    }
}
