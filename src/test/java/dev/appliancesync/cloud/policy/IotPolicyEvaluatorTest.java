package dev.appliancesync.cloud.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every matching rule of IoT Core policies, one edge at a time. */
class IotPolicyEvaluatorTest {

    private static final String ARN = "arn:aws:iot:us-east-1:123456789012:";
    private static final Map<String, String> NO_VARIABLES = Map.of();

    private final IotPolicyEvaluator evaluator = new IotPolicyEvaluator();

    /** A policy of one Allow statement. */
    private static CompiledPolicy allow(String action, String resource) {
        return policy("p", statement("Allow", action, resource));
    }

    private static String statement(String effect, String action, String resource) {
        return """
                {"Effect": "%s", "Action": "%s", "Resource": "%s"}""".formatted(effect, action, resource);
    }

    private static CompiledPolicy policy(String name, String... statements) {
        return new CompiledPolicy(name, """
                {"Version": "2012-10-17", "Statement": [%s]}""".formatted(String.join(",", statements)));
    }

    private boolean allowed(CompiledPolicy policy, String action, String resource) {
        return allowed(policy, action, resource, NO_VARIABLES);
    }

    private boolean allowed(CompiledPolicy policy, String action, String resource, Map<String, String> variables) {
        return evaluator.decide(List.of(policy), action, resource, variables).allowed();
    }

    @Nested
    class Wildcards {

        @Test
        void starMatchesAnyRunAcrossLevels() {
            CompiledPolicy policy = allow("iot:Receive", ARN + "topic/appliances/oven1/*");
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven1/state")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven1/a/b/c")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven1/")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven1")).isFalse();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven12/state")).isFalse();
        }

        @Test
        void starInsideAThingLevelReachesIntoFurtherLevels() {
            // Why no compiled policy puts '*' inside a level: 'P-*' swallows "x/shadow/name".
            CompiledPolicy policy = allow("iot:Publish", ARN + "topic/$aws/things/abcdefgh-*/shadow/update");
            assertThat(allowed(policy, "iot:Publish", ARN + "topic/$aws/things/abcdefgh-x/shadow/update")).isTrue();
            assertThat(allowed(policy, "iot:Publish",
                    ARN + "topic/$aws/things/abcdefgh-x/shadow/name/shadow/update")).isTrue();
        }

        @Test
        void questionMarkIsExactlyOneCharacterSlashIncluded() {
            CompiledPolicy policy = allow("iot:Receive", ARN + "topic/a?c");
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/abc")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/a/c")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/ac")).isFalse();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/abbc")).isFalse();
        }

        @Test
        void plusAndHashAreLiteralInResources() {
            CompiledPolicy plus = allow("iot:Subscribe", ARN + "topicfilter/appliances/+/state");
            assertThat(allowed(plus, "iot:Subscribe", ARN + "topicfilter/appliances/+/state")).isTrue();
            assertThat(allowed(plus, "iot:Subscribe", ARN + "topicfilter/appliances/oven1/state")).isFalse();
            CompiledPolicy hash = allow("iot:Receive", ARN + "topic/appliances/#");
            assertThat(allowed(hash, "iot:Receive", ARN + "topic/appliances/#")).isTrue();
            assertThat(allowed(hash, "iot:Receive", ARN + "topic/appliances/oven1")).isFalse();
        }

        @Test
        void aTopicFilterIsMatchedAsTheTextSent() {
            CompiledPolicy policy = allow("iot:Subscribe", ARN + "topicfilter/appliances/oven1/*");
            assertThat(allowed(policy, "iot:Subscribe", ARN + "topicfilter/appliances/oven1/#")).isTrue();
            assertThat(allowed(policy, "iot:Subscribe", ARN + "topicfilter/appliances/oven1/+/x")).isTrue();
            assertThat(allowed(policy, "iot:Subscribe", ARN + "topicfilter/appliances/+/state")).isFalse();
            assertThat(allowed(policy, "iot:Subscribe", ARN + "topicfilter/#")).isFalse();
        }

        @Test
        void topicAndTopicFilterAreDifferentResources() {
            CompiledPolicy policy = allow("iot:Subscribe", ARN + "topicfilter/appliances/oven1/*");
            assertThat(allowed(policy, "iot:Subscribe", ARN + "topic/appliances/oven1/state")).isFalse();
        }

        @Test
        void escapedWildcardVariablesAreLiteral() {
            CompiledPolicy policy = allow("iot:Receive", ARN + "topic/a/${*}/b${?}");
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/a/*/b?")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/a/x/by")).isFalse();
        }
    }

    @Nested
    class Resources {

        @Test
        void resourcesAreCaseSensitive() {
            CompiledPolicy policy = allow("iot:Receive", ARN + "topic/appliances/Oven1/*");
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven1/state")).isFalse();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/Oven1/state")).isTrue();
        }

        @Test
        void regionAccountAndPartitionMustMatch() {
            CompiledPolicy policy = allow("iot:Receive", ARN + "topic/a");
            assertThat(allowed(policy, "iot:Receive", "arn:aws:iot:eu-west-1:123456789012:topic/a")).isFalse();
            assertThat(allowed(policy, "iot:Receive", "arn:aws:iot:us-east-1:210987654321:topic/a")).isFalse();
            assertThat(allowed(policy, "iot:Receive", "arn:aws-cn:iot:us-east-1:123456789012:topic/a")).isFalse();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/a")).isTrue();
        }

        @Test
        void aWildcardSegmentDoesNotSwallowTheNextSegment() {
            CompiledPolicy anyRegion = allow("iot:Receive", "arn:aws:iot:*:123456789012:topic/a");
            assertThat(allowed(anyRegion, "iot:Receive", "arn:aws:iot:eu-west-1:123456789012:topic/a")).isTrue();
            assertThat(allowed(anyRegion, "iot:Receive", "arn:aws:iot:eu-west-1:210987654321:topic/a")).isFalse();
            CompiledPolicy fiveSegments = allow("iot:Receive", "arn:aws:iot:*:topic/a");
            assertThat(allowed(fiveSegments, "iot:Receive", ARN + "topic/a")).isFalse();
        }

        @Test
        void aTrailingStarInTheLastSegmentCoversTheRestOfTheArn() {
            assertThat(allowed(allow("iot:Receive", "*"), "iot:Receive", ARN + "topic/a")).isTrue();
            assertThat(allowed(allow("iot:Receive", "arn:aws:iot:*"), "iot:Receive", ARN + "topic/a")).isTrue();
            assertThat(allowed(allow("iot:Receive", "arn:aws:s3:*"), "iot:Receive", ARN + "topic/a")).isFalse();
        }

        @Test
        void colonsInTheResourcePartAreOrdinaryCharacters() {
            CompiledPolicy policy = allow("iot:Receive", ARN + "topic/appliances/oven:1/*");
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven:1/state")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/appliances/oven:12/state")).isFalse();
        }

        @Test
        void notResourceAppliesToEverythingElse() {
            CompiledPolicy policy = policy("p", """
                    {"Effect": "Allow", "Action": "iot:Receive", "NotResource": ["%stopic/secret/*"]}""".formatted(ARN));
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/open/x")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/secret/x")).isFalse();
        }
    }

    @Nested
    class Actions {

        @Test
        void actionWildcards() {
            CompiledPolicy all = allow("iot:*", ARN + "topic/a");
            assertThat(allowed(all, "iot:Publish", ARN + "topic/a")).isTrue();
            assertThat(allowed(all, "iot:RetainPublish", ARN + "topic/a")).isTrue();
            CompiledPolicy re = allow("iot:Re*", ARN + "topic/a");
            assertThat(allowed(re, "iot:Receive", ARN + "topic/a")).isTrue();
            assertThat(allowed(re, "iot:RetainPublish", ARN + "topic/a")).isTrue();
            assertThat(allowed(re, "iot:Publish", ARN + "topic/a")).isFalse();
            assertThat(allowed(allow("*", ARN + "topic/a"), "iot:Connect", ARN + "topic/a")).isTrue();
        }

        @Test
        void actionsIgnoreCaseAsInIam() {
            CompiledPolicy policy = allow("iot:Publish", ARN + "topic/a");
            assertThat(allowed(policy, "IOT:publish", ARN + "topic/a")).isTrue();
        }

        @Test
        void publishDoesNotImplyRetainPublish() {
            assertThat(allowed(allow("iot:Publish", ARN + "topic/a"), "iot:RetainPublish", ARN + "topic/a"))
                    .isFalse();
        }

        @Test
        void actionsAndResourcesMayBeArraysAndStatementASingleObject() {
            CompiledPolicy policy = new CompiledPolicy("p", """
                    {"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                      "Action": ["iot:Receive", "iot:Subscribe"],
                      "Resource": ["%1$stopic/a", "%1$stopicfilter/a"]}}""".formatted(ARN));
            assertThat(allowed(policy, "iot:Subscribe", ARN + "topicfilter/a")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/a")).isTrue();
            assertThat(allowed(policy, "iot:Publish", ARN + "topic/a")).isFalse();
        }

        @Test
        void notActionAppliesToEveryOtherAction() {
            CompiledPolicy policy = policy("p", statement("Allow", "iot:*", ARN + "topic/a"), """
                    {"Effect": "Deny", "NotAction": "iot:Receive", "Resource": "*"}""");
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/a")).isTrue();
            assertThat(allowed(policy, "iot:Publish", ARN + "topic/a")).isFalse();
        }
    }

    @Nested
    class Variables {

        private final CompiledPolicy connect = allow("iot:Connect", ARN + "client/${iot:ClientId}");

        @Test
        void aVariableTakesTheRequestsValue() {
            assertThat(allowed(connect, "iot:Connect", ARN + "client/device-1", Map.of("iot:ClientId", "device-1")))
                    .isTrue();
            assertThat(allowed(connect, "iot:Connect", ARN + "client/device-2", Map.of("iot:ClientId", "device-1")))
                    .isFalse();
        }

        @Test
        void anUnresolvedVariableVoidsTheStatement() {
            assertThat(evaluator.decide(List.of(connect), "iot:Connect", ARN + "client/device-1", NO_VARIABLES))
                    .isEqualTo(new Decision(false, Decision.IMPLICIT_DENY, null, -1, null));
        }

        @Test
        void anUnresolvedVariableVoidsTheWholeStatementEvenWhereAnotherResourceMatches() {
            CompiledPolicy policy = policy("p", """
                    {"Effect": "Allow", "Action": "iot:Receive",
                     "Resource": ["%1$stopic/open", "%1$stopic/${iot:Connection.Thing.ThingName}/*"]}""".formatted(ARN));
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/open")).isFalse();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/open",
                    Map.of("iot:Connection.Thing.ThingName", "t"))).isTrue();
        }

        @Test
        void aDenyWithAnUnresolvedVariableDeniesNothing() {
            CompiledPolicy policy = policy("p", statement("Allow", "iot:Receive", ARN + "topic/*"),
                    statement("Deny", "iot:Receive", ARN + "topic/${iot:ClientId}/*"));
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/x/y")).isTrue();
            assertThat(allowed(policy, "iot:Receive", ARN + "topic/x/y", Map.of("iot:ClientId", "x"))).isFalse();
        }

        @Test
        void aVariableNameMayHoldAColonAndItsValueToo() {
            CompiledPolicy policy = allow("iot:Connect", ARN + "client/${cognito-identity.amazonaws.com:sub}");
            Map<String, String> identity = Map.of("cognito-identity.amazonaws.com:sub", "us-east-1:1234-abcd");
            assertThat(allowed(policy, "iot:Connect", ARN + "client/us-east-1:1234-abcd", identity)).isTrue();
            assertThat(allowed(policy, "iot:Connect", ARN + "client/us-east-1:1234-abce", identity)).isFalse();
        }

        @Test
        void wildcardsInAVariablesValueAreLiteral() {
            Map<String, String> star = Map.of("iot:ClientId", "*");
            assertThat(allowed(connect, "iot:Connect", ARN + "client/device-1", star)).isFalse();
            assertThat(allowed(connect, "iot:Connect", ARN + "client/*", star)).isTrue();
        }

        @Test
        void beforeVersion2012VariablesAreText() {
            CompiledPolicy old = new CompiledPolicy("old", """
                    {"Version": "2008-10-17", "Statement": [%s]}""".formatted(
                    statement("Allow", "iot:Connect", ARN + "client/${iot:ClientId}")));
            Map<String, String> client = Map.of("iot:ClientId", "device-1");
            assertThat(allowed(old, "iot:Connect", ARN + "client/device-1", client)).isFalse();
            assertThat(allowed(old, "iot:Connect", ARN + "client/${iot:ClientId}", client)).isTrue();
        }

        @Test
        void conditionsOnRequestKeys() {
            CompiledPolicy policy = policy("p", """
                    {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*",
                     "Condition": {"StringLike": {"iot:ClientId": "app-*"}}}""");
            assertThat(allowed(policy, "iot:Connect", ARN + "client/app-1", Map.of("iot:ClientId", "app-1")))
                    .isTrue();
            assertThat(allowed(policy, "iot:Connect", ARN + "client/dev-1", Map.of("iot:ClientId", "dev-1")))
                    .isFalse();
        }
    }

    @Nested
    class ThingConnections {

        private final CompiledPolicy ownThing = policy("device", """
                {"Effect": "Allow", "Action": "iot:Connect", "Resource": "%1$sclient/${iot:Connection.Thing.ThingName}",
                 "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}}}""".formatted(ARN), """
                {"Effect": "Allow", "Action": "iot:Publish",
                 "Resource": "%1$stopic/appliances/${iot:Connection.Thing.ThingName}/state"}""".formatted(ARN));

        private boolean connectionMay(String action, String resource, IotConnection connection) {
            return evaluator.prepare(List.of(ownThing)).decide(action, ARN + resource, connection).allowed();
        }

        @Test
        void theThingNameIsTheClientIdOfAThingAttachedToTheCertificate() {
            IotConnection.Thing oven = IotConnection.Thing.of("oven1");
            assertThat(oven.variables()).containsEntry("iot:Connection.Thing.ThingName", "oven1")
                    .containsEntry("iot:Connection.Thing.IsAttached", "true");
            assertThat(connectionMay("iot:Connect", "client/oven1", oven)).isTrue();
            assertThat(connectionMay("iot:Publish", "topic/appliances/oven1/state", oven)).isTrue();
            assertThat(connectionMay("iot:Publish", "topic/appliances/oven2/state", oven)).isFalse();
        }

        @Test
        void aClientIdNamingAThingTheCertificateIsNotAttachedToResolvesNothing() {
            // The certificate of oven1 connecting as oven2: no thing name, not attached.
            IotConnection.Thing impostor = new IotConnection.Thing("oven2", java.util.Set.of("oven1"));
            assertThat(impostor.variables()).doesNotContainKey("iot:Connection.Thing.ThingName")
                    .containsEntry("iot:Connection.Thing.IsAttached", "false");
            assertThat(connectionMay("iot:Connect", "client/oven2", impostor)).isFalse();
            assertThat(connectionMay("iot:Publish", "topic/appliances/oven2/state", impostor)).isFalse();
            assertThat(connectionMay("iot:Publish", "topic/appliances/oven1/state", impostor)).isFalse();
        }

        @Test
        void boolComparesTrueAndFalseIgnoringCase() {
            CompiledPolicy attachedOnly = policy("p", """
                    {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*",
                     "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "TRUE"}}}""");
            assertThat(allowed(attachedOnly, "iot:Connect", ARN + "client/x",
                    Map.of("iot:Connection.Thing.IsAttached", "true"))).isTrue();
            assertThat(allowed(attachedOnly, "iot:Connect", ARN + "client/x",
                    Map.of("iot:Connection.Thing.IsAttached", "false"))).isFalse();
            assertThat(allowed(attachedOnly, "iot:Connect", ARN + "client/x", NO_VARIABLES)).isFalse();
        }

        @Test
        void anAppsConnectionResolvesItsIdentityAndClientId() {
            IotConnection.CognitoIdentity app = new IotConnection.CognitoIdentity("us-east-1:abc", "us-east-1:abc-phone");
            assertThat(app.variables()).isEqualTo(Map.of("cognito-identity.amazonaws.com:sub", "us-east-1:abc",
                    "iot:ClientId", "us-east-1:abc-phone"));
            assertThat(connectionMay("iot:Connect", "client/us-east-1:abc-phone", app)).as("no thing variables").isFalse();
        }
    }

    @Nested
    class Effects {

        @Test
        void anExplicitDenyWinsWhereverItIsAndIsNamed() {
            CompiledPolicy allowAll = policy("allow-all", statement("Allow", "iot:*", "*"));
            CompiledPolicy deny = policy("deny-secret", statement("Allow", "iot:Receive", ARN + "topic/open"), """
                    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "iot:Receive", "Resource": "%stopic/secret/*"}"""
                    .formatted(ARN));
            assertThat(evaluator.decide(List.of(allowAll, deny), "iot:Receive", ARN + "topic/secret/x", NO_VARIABLES))
                    .isEqualTo(new Decision(false, Decision.EXPLICIT_DENY, "deny-secret", 1, "NoSecrets"));
            assertThat(evaluator.decide(List.of(deny, allowAll), "iot:Receive", ARN + "topic/secret/x", NO_VARIABLES)
                    .reason()).isEqualTo(Decision.EXPLICIT_DENY);
        }

        @Test
        void theFirstAllowThatAppliesIsNamed() {
            CompiledPolicy first = policy("first", statement("Allow", "iot:Publish", ARN + "topic/x"),
                    statement("Allow", "iot:Receive", ARN + "topic/*"));
            CompiledPolicy second = policy("second", statement("Allow", "iot:Receive", ARN + "topic/a"));
            assertThat(evaluator.decide(List.of(first, second), "iot:Receive", ARN + "topic/a", NO_VARIABLES))
                    .isEqualTo(new Decision(true, Decision.ALLOW, "first", 1, null));
        }

        @Test
        void nothingIsAllowedByDefault() {
            assertThat(evaluator.decide(List.of(), "iot:Connect", ARN + "client/x", NO_VARIABLES))
                    .isEqualTo(new Decision(false, Decision.IMPLICIT_DENY, null, -1, null));
        }
    }

    @Nested
    class Refusals {

        @Test
        void whatItCannotEvaluateFaithfullyIsRefused() {
            assertThatThrownBy(() -> evaluator.prepare(List.of(policy("p", """
                    {"Effect": "Allow", "Principal": "*", "Action": "iot:*", "Resource": "*"}"""))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Principal");
            assertThatThrownBy(() -> evaluator.prepare(List.of(policy("p", """
                    {"Effect": "Allow", "Action": "iot:*", "Resource": "*",
                     "Condition": {"NumericLessThan": {"k": "1"}}}"""))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NumericLessThan");
            assertThatThrownBy(() -> evaluator.prepare(List.of(policy("p", """
                    {"Effect": "allow", "Action": "iot:*", "Resource": "*"}"""))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Effect");
            assertThatThrownBy(() -> evaluator.prepare(List.of(policy("p", """
                    {"Effect": "Allow", "Action": "iot:*", "Resource": "*", "NotResource": "*"}"""))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
            assertThatThrownBy(() -> evaluator.prepare(List.of(new CompiledPolicy("p", "{not json"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        }
    }
}
