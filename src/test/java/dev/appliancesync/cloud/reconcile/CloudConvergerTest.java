package dev.appliancesync.cloud.reconcile;

import static dev.appliancesync.cloud.gateway.CloudOperation.ADMIN_GET_USER;
import static dev.appliancesync.cloud.gateway.CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES;
import static dev.appliancesync.cloud.gateway.CloudOperation.ATTACH_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.CREATE_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.CREATE_POLICY_VERSION;
import static dev.appliancesync.cloud.gateway.CloudOperation.DELETE_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.DELETE_POLICY_VERSION;
import static dev.appliancesync.cloud.gateway.CloudOperation.DETACH_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.GET_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.LIST_ATTACHED_POLICIES;
import static dev.appliancesync.cloud.gateway.CloudOperation.LIST_POLICY_VERSIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.FakeAws;
import dev.appliancesync.cloud.FakeAws.Fault;
import dev.appliancesync.cloud.gateway.AwsCloudGateway;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.gateway.CloudRejectedException;
import dev.appliancesync.cloud.gateway.CloudUnavailableException;

/**
 * The converger through the real AWS SDK against {@link FakeAws}: faults, lost answers, crashes, changes behind our
 * back, refusals. (What it does against either gateway is in CloudGatewayContract.)
 */
class CloudConvergerTest {

    private static final String PREFIX = "appliance-sync-u1-";
    private static final String TARGET = FakeAws.REGION + ":7d1c6a10-2f4e-4b8a-9c3d-5e6f7a8b9c0d";
    private static final String USER = "alice";
    private static final String APPLIANCES = "custom:appliances";

    private final FakeAws aws = FakeAws.start();
    private final List<AwsCloudGateway> gateways = new ArrayList<>();

    @AfterEach
    void close() {
        gateways.forEach(AwsCloudGateway::close);
        aws.close();
    }

    /** A converger on a gateway that retries quickly and is not rate-limited in practice. */
    private CloudConverger converger(int maxAttempts) {
        AwsCloudGateway gateway = aws.gateway(Map.of("appliance-sync.cloud.calls.max-per-second", "1000",
                "appliance-sync.cloud.calls.max-attempts", String.valueOf(maxAttempts),
                "appliance-sync.cloud.calls.base-backoff", "1MS", "appliance-sync.cloud.calls.max-backoff", "4MS"));
        gateways.add(gateway);
        return new CloudConverger(gateway);
    }

    private static String document(String action) {
        return """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "*"}]}"""
                .formatted(action);
    }

    private static DesiredPolicy policy(String suffix, String action) {
        return new DesiredPolicy(PREFIX + suffix, document(action));
    }

    private static DesiredCloudAccess desired(List<DesiredPolicy> policies, String appliances, Set<String> former) {
        return new DesiredCloudAccess(TARGET, USER, policies, Map.of(APPLIANCES, appliances), PREFIX, former);
    }

    private void assertConvergedTo(DesiredCloudAccess desired, Set<String> foreignAttached) {
        assertConvergedTo(aws, desired, foreignAttached);
    }

    private static void assertConvergedTo(FakeAws aws, DesiredCloudAccess desired, Set<String> foreignAttached) {
        Set<String> expected = new HashSet<>(desired.policyNames());
        expected.addAll(foreignAttached);
        assertThat(aws.attached(desired.target())).isEqualTo(expected);
        for (DesiredPolicy policy : desired.policies()) {
            assertThat(aws.defaultDocument(policy.name())).contains(policy.document());
        }
        assertThat(aws.policyNames()).filteredOn(desired::isOurs)
                .containsExactlyInAnyOrderElementsOf(desired.policyNames());
        assertThat(aws.attributes(USER)).containsAllEntriesOf(desired.attributes());
    }

    @Test
    void convergesThroughThrottlingAndServerFailuresWithTheSameCallsAsWithout() {
        aws.addUser(USER, Map.of());
        DesiredCloudAccess desired = desired(List.of(policy("a", "iot:Connect"), policy("b", "iot:Subscribe")), "oven",
                Set.of());
        Map<CloudOperation, Integer> injected = Map.of(LIST_ATTACHED_POLICIES, 1, CREATE_POLICY, 3, ATTACH_POLICY, 1,
                ADMIN_GET_USER, 2, ADMIN_UPDATE_USER_ATTRIBUTES, 1);
        aws.failNext(LIST_ATTACHED_POLICIES, 1, Fault.INTERNAL_FAILURE);
        aws.failNext(CREATE_POLICY, 2, Fault.THROTTLING);
        aws.failNext(CREATE_POLICY, 1, Fault.SERVICE_UNAVAILABLE);
        aws.failNext(ATTACH_POLICY, 1, Fault.SERVICE_UNAVAILABLE);
        aws.failNext(ADMIN_GET_USER, 2, Fault.TOO_MANY_REQUESTS);
        aws.failNext(ADMIN_UPDATE_USER_ATTRIBUTES, 1, Fault.INTERNAL_ERROR);

        ConvergeResult result = converger(5).converge(desired);

        assertConvergedTo(desired, Set.of());
        assertThat(result.calls()).isEqualTo(Map.of(LIST_ATTACHED_POLICIES, 1, GET_POLICY, 2, CREATE_POLICY, 2,
                ATTACH_POLICY, 2, ADMIN_GET_USER, 1, ADMIN_UPDATE_USER_ATTRIBUTES, 1));
        Map<CloudOperation, Integer> attempts = new EnumMap<>(result.calls());
        injected.forEach((operation, failures) -> attempts.merge(operation, failures, Integer::sum));
        assertThat(aws.callCounts()).isEqualTo(attempts);
    }

    @Test
    void aCallThatKeepsBeingThrottledEndsTheConvergeAsUnavailableAndTheNextOneFinishes() {
        aws.addUser(USER, Map.of());
        DesiredCloudAccess desired = desired(List.of(policy("a", "iot:Connect")), "oven", Set.of());
        aws.failNext(ATTACH_POLICY, 10, Fault.THROTTLING);
        CloudConverger converger = converger(4);

        assertThatThrownBy(() -> converger.converge(desired)).isInstanceOfSatisfying(CloudUnavailableException.class,
                e -> {
                    assertThat(e.operation()).isEqualTo(ATTACH_POLICY);
                    assertThat(e.attempts()).isEqualTo(4);
                    assertThat(e.errorCode()).isEqualTo("ThrottlingException");
                });
        assertThat(aws.calls(ATTACH_POLICY)).isEqualTo(4);

        aws.heal();
        converger.converge(desired);
        assertConvergedTo(desired, Set.of());
    }

    @Test
    void anEleventhAttachmentIsRejectedWithAwsCodeAndMessage() {
        aws.addUser(USER, Map.of());
        Set<String> foreign = new TreeSet<>();
        for (int i = 1; i <= 10; i++) {
            aws.createPolicyBehindOurBack("console-policy-" + i, document("iot:Connect"));
            aws.attachBehindOurBack("console-policy-" + i, TARGET);
            foreign.add("console-policy-" + i);
        }

        assertThatThrownBy(() -> converger(5).converge(desired(List.of(policy("a", "iot:Connect")), "oven", Set.of())))
                .isInstanceOfSatisfying(CloudRejectedException.class, e -> {
                    assertThat(e.operation()).isEqualTo(ATTACH_POLICY);
                    assertThat(e.errorCode()).isEqualTo("LimitExceededException");
                    assertThat(e.awsMessage()).contains("already has 10 policies attached");
                });
        assertThat(aws.calls(ATTACH_POLICY)).isOne();
        assertThat(aws.attached(TARGET)).isEqualTo(foreign);
    }

    @Test
    void anOversizedDocumentIsRejectedAsMalformed() {
        aws.addUser(USER, Map.of());
        String oversized = document("iot:" + "Subscribe".repeat(230));

        assertThatThrownBy(() -> converger(5).converge(desired(List.of(new DesiredPolicy(PREFIX + "big", oversized)),
                "oven", Set.of()))).isInstanceOfSatisfying(CloudRejectedException.class, e -> {
                    assertThat(e.operation()).isEqualTo(CREATE_POLICY);
                    assertThat(e.errorCode()).isEqualTo("MalformedPolicyException");
                    assertThat(e.awsMessage()).contains("at most 2048");
                });
        assertThat(aws.exists(PREFIX + "big")).isFalse();
    }

    @Test
    void theOldestVersionThatIsNotTheDefaultIsPrunedFirst() {
        aws.addUser(USER, Map.of());
        String name = PREFIX + "a";
        aws.createPolicyBehindOurBack(name, document("iot:V1"));
        for (int v = 2; v <= 5; v++) {
            aws.newVersionBehindOurBack(name, document("iot:V" + v), false); // v1 stays the default, and the oldest
        }

        converger(5).converge(desired(List.of(new DesiredPolicy(name, document("iot:V6"))), "oven", Set.of()));

        assertThat(aws.versionIds(name)).containsExactly("1", "3", "4", "5", "6");
        assertThat(aws.defaultDocument(name)).contains(document("iot:V6"));
    }

    @Test
    void aDocumentFormattedDifferentlyIsTheSameDocument() {
        aws.addUser(USER, Map.of());
        CloudConverger converger = converger(5);
        converger.converge(desired(List.of(policy("a", "iot:Connect")), "oven", Set.of()));
        String reformatted = """
                {
                  "Statement" : [ { "Resource" : "*", "Action" : "iot:Connect", "Effect" : "Allow" } ],
                  "Version" : "2012-10-17"
                }""";

        ConvergeResult same = converger.converge(desired(List.of(new DesiredPolicy(PREFIX + "a", reformatted)), "oven",
                Set.of()));
        assertThat(same.writes()).isZero();

        ConvergeResult changed = converger.converge(desired(List.of(new DesiredPolicy(PREFIX + "a",
                reformatted.replace("iot:Connect", "iot:Publish"))), "oven", Set.of()));
        assertThat(changed.count(CREATE_POLICY_VERSION)).isOne();
    }

    @Test
    void changesBehindOurBackAreRepairedAndOthersPoliciesAreLeftAlone() {
        aws.addUser(USER, Map.of("email", "alice@example.com"));
        DesiredCloudAccess desired = desired(List.of(policy("a", "iot:Connect"), policy("b", "iot:Subscribe")), "oven",
                Set.of());
        CloudConverger converger = converger(5);
        converger.converge(desired);
        aws.detachBehindOurBack(PREFIX + "a", TARGET);
        aws.newVersionBehindOurBack(PREFIX + "b", document("iot:*"), true);
        aws.createPolicyBehindOurBack(PREFIX + "stray", document("iot:*"));
        aws.attachBehindOurBack(PREFIX + "stray", TARGET);
        aws.createPolicyBehindOurBack("operator-debug", document("iot:*"));
        aws.attachBehindOurBack("operator-debug", TARGET);
        aws.setAttributeBehindOurBack(USER, APPLIANCES, "oven,safe");

        ConvergeResult repair = converger.converge(desired);

        assertConvergedTo(desired, Set.of("operator-debug"));
        assertThat(aws.exists(PREFIX + "stray")).isFalse();
        assertThat(aws.defaultDocument("operator-debug")).contains(document("iot:*"));
        assertThat(aws.attributes(USER)).containsEntry("email", "alice@example.com");
        assertThat(repair.calls()).isEqualTo(Map.ofEntries(Map.entry(LIST_ATTACHED_POLICIES, 1),
                Map.entry(DETACH_POLICY, 1), Map.entry(GET_POLICY, 2), Map.entry(LIST_POLICY_VERSIONS, 2),
                Map.entry(CREATE_POLICY_VERSION, 1), Map.entry(ATTACH_POLICY, 1), Map.entry(ADMIN_GET_USER, 1),
                Map.entry(ADMIN_UPDATE_USER_ATTRIBUTES, 1), Map.entry(DELETE_POLICY, 1)));
        assertThat(converger.converge(desired).writes()).isZero();
    }

    /**
     * A user who had policies a (with 5 versions) and b (with 2), and is now to have a changed a, a new c, no b and
     * another attribute value: every kind of call a converge makes.
     */
    private static DesiredCloudAccess stageAChangeOfEverything(FakeAws aws, CloudConverger converger) {
        aws.addUser(USER, Map.of());
        converger.converge(desired(List.of(policy("a", "iot:V1"), policy("b", "iot:Subscribe")), "oven,fridge",
                Set.of()));
        for (int v = 2; v <= 5; v++) {
            aws.newVersionBehindOurBack(PREFIX + "a", document("iot:V" + v), true);
        }
        aws.newVersionBehindOurBack(PREFIX + "b", document("iot:Subscribe"), true);
        return desired(List.of(policy("a", "iot:V6"), policy("c", "iot:Publish")), "oven,dishwasher",
                Set.of(PREFIX + "a", PREFIX + "b"));
    }

    @Test
    void aConvergeCutShortAfterAnyNumberOfCallsIsFinishedByTheNextOne() {
        DesiredCloudAccess change = stageAChangeOfEverything(aws, converger(1));
        aws.resetCalls();
        converger(1).converge(change);
        int callsOfAFullRun = aws.callLog().size();
        assertThat(callsOfAFullRun).isEqualTo(14);

        for (int crashAfter = 0; crashAfter < callsOfAFullRun; crashAfter++) {
            try (FakeAws fresh = FakeAws.start(); AwsCloudGateway gateway = fresh.gateway(Map.of(
                    "appliance-sync.cloud.calls.max-per-second", "1000", "appliance-sync.cloud.calls.max-attempts", "1"))) {
                CloudConverger converger = new CloudConverger(gateway);
                DesiredCloudAccess staged = stageAChangeOfEverything(fresh, converger);
                fresh.failEverythingAfter(crashAfter, Fault.INTERNAL_FAILURE);
                assertThatThrownBy(() -> converger.converge(staged)).as("crash after %d calls", crashAfter)
                        .isInstanceOf(CloudUnavailableException.class);
                fresh.heal();

                converger.converge(staged);

                assertConvergedTo(fresh, staged, Set.of());
                assertThat(converger.converge(staged).writes()).as("after a crash after %d calls", crashAfter).isZero();
            }
        }
    }

    @Test
    void answersLostAfterTheCallTookEffectAreHarmless() {
        CloudConverger converger = converger(5);
        DesiredCloudAccess change = stageAChangeOfEverything(aws, converger);
        for (CloudOperation write : List.of(CREATE_POLICY, CREATE_POLICY_VERSION, DELETE_POLICY_VERSION, DELETE_POLICY,
                ATTACH_POLICY, DETACH_POLICY, ADMIN_UPDATE_USER_ATTRIBUTES)) {
            aws.loseNextResponses(write, 1);
        }

        converger.converge(change);

        assertConvergedTo(change, Set.of());
        assertThat(aws.versionIds(PREFIX + "a")).hasSizeLessThanOrEqualTo(5);
        assertThat(converger.converge(change).writes()).isZero();
    }

    @Test
    void aPolicyIotCoreWillNotDeleteYetIsLeftForALaterConverge() {
        aws.addUser(USER, Map.of());
        aws.holdDeletesAfterDetach();
        CloudConverger converger = converger(5);
        converger.converge(desired(List.of(policy("a", "iot:Connect"), policy("b", "iot:Subscribe")), "oven",
                Set.of()));

        ConvergeResult revoke = converger.converge(desired(List.of(policy("a", "iot:Connect")), "oven", Set.of()));

        assertThat(revoke.awaitingDeletion()).containsExactly(PREFIX + "b");
        assertThat(aws.attached(TARGET)).containsExactly(PREFIX + "a");
        assertThat(aws.exists(PREFIX + "b")).isTrue();

        aws.letHeldDeletesThrough();
        ConvergeResult later = converger.converge(desired(List.of(policy("a", "iot:Connect")), "oven",
                revoke.awaitingDeletion()));

        assertThat(later.awaitingDeletion()).isEmpty();
        assertThat(later.count(DELETE_POLICY)).isOne();
        assertThat(aws.exists(PREFIX + "b")).isFalse();
    }

    @Test
    void onlyPoliciesWithOurPrefixCanBeDesired() {
        assertThatThrownBy(() -> new DesiredCloudAccess(TARGET, USER, List.of(new DesiredPolicy("other-a",
                document("iot:Connect"))), Map.of(), PREFIX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other-a");
        assertThatThrownBy(() -> desired(List.of(policy("a", "iot:Connect")), "oven", Set.of("other-b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other-b");
        assertThatThrownBy(() -> desired(List.of(policy("a", "iot:Connect"), policy("a", "iot:Publish")), "oven",
                Set.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    // ---- from what the last converge left (CloudSnapshot) ------------------------------------------------------------

    @Test
    void fromWhatTheLastConvergeLeftAFirstGrantAndTheLastRevokeMakeThreeCallsEachAllWrites() {
        aws.addUser(USER, Map.of());
        CloudConverger converger = converger(5);
        CloudSnapshot start = converger.converge(desired(List.of(), "none", Set.of())).after();
        DesiredCloudAccess granted = desired(List.of(policy("a", "iot:Connect")), "oven", Set.of());
        aws.resetCalls();

        ConvergeResult share = converger.converge(granted, start);

        assertConvergedTo(granted, Set.of());
        assertThat(share.calls()).isEqualTo(Map.of(CREATE_POLICY, 1, ATTACH_POLICY, 1, ADMIN_UPDATE_USER_ATTRIBUTES, 1));
        assertThat(aws.callCounts()).as("what AWS saw").isEqualTo(share.calls());

        DesiredCloudAccess revoked = desired(List.of(), "none", Set.of(PREFIX + "a"));
        ConvergeResult revoke = converger.converge(revoked, share.after());

        assertConvergedTo(revoked, Set.of());
        assertThat(aws.exists(PREFIX + "a")).isFalse();
        assertThat(revoke.calls()).isEqualTo(Map.of(DETACH_POLICY, 1, ADMIN_UPDATE_USER_ATTRIBUTES, 1, DELETE_POLICY, 1));
    }

    @Test
    void fromWhatTheLastConvergeLeftANewDocumentIsOneVersionAndTheFifthMakesRoomFirst() {
        aws.addUser(USER, Map.of());
        CloudConverger converger = converger(5);
        CloudSnapshot last = converger.converge(desired(List.of(policy("a", "iot:V1")), "oven", Set.of())).after();
        for (int v = 2; v <= 5; v++) {
            DesiredCloudAccess changed = desired(List.of(policy("a", "iot:V" + v)), "oven", Set.of());
            ConvergeResult result = converger.converge(changed, last);
            assertConvergedTo(changed, Set.of());
            assertThat(result.calls()).as("version %d", v).isEqualTo(Map.of(CREATE_POLICY_VERSION, 1));
            last = result.after();
        }
        assertThat(aws.versionIds(PREFIX + "a")).hasSize(5);

        DesiredCloudAccess sixth = desired(List.of(policy("a", "iot:V6")), "oven", Set.of());
        ConvergeResult result = converger.converge(sixth, last);

        assertConvergedTo(sixth, Set.of());
        assertThat(result.calls()).as("IoT Core keeps 5 versions: the oldest goes first").isEqualTo(Map.of(
                LIST_POLICY_VERSIONS, 1, DELETE_POLICY_VERSION, 1, CREATE_POLICY_VERSION, 1));
        assertThat(aws.versionIds(PREFIX + "a")).hasSize(5).doesNotContain("1");
    }

    @Test
    void aSnapshotTheCloudContradictsIsDroppedAndEverythingReadAgain() {
        aws.addUser(USER, Map.of());
        CloudConverger converger = converger(5);
        DesiredCloudAccess desired = desired(List.of(policy("a", "iot:V2")), "oven", Set.of());
        // What a pass that lost its answers might believe: the policy there and attached; IoT Core has neither.
        CloudSnapshot wrong = new CloudSnapshot(TARGET, USER, Set.of(PREFIX + "a"),
                Map.of(PREFIX + "a", new CloudSnapshot.KnownPolicy(document("iot:V1"), 1)), Map.of(APPLIANCES, "oven"));

        ConvergeResult result = converger.converge(desired, wrong);

        assertConvergedTo(desired, Set.of());
        assertThat(result.count(CREATE_POLICY_VERSION)).as("refused: no such policy").isOne();
        assertThat(result.count(LIST_ATTACHED_POLICIES)).as("then read again").isOne();
        assertThat(result.after().attached()).containsExactly(PREFIX + "a");
        assertThat(result.after().policies()).containsOnlyKeys(PREFIX + "a");
    }

    @Test
    void aSnapshotOfAnotherIdentityIsNotUsed() {
        aws.addUser(USER, Map.of());
        CloudConverger converger = converger(5);
        CloudSnapshot elsewhere = new CloudSnapshot(FakeAws.REGION + ":another", USER, Set.of(), Map.of(), Map.of());
        DesiredCloudAccess desired = desired(List.of(policy("a", "iot:Connect")), "oven", Set.of());

        ConvergeResult result = converger.converge(desired, elsewhere);

        assertConvergedTo(desired, Set.of());
        assertThat(result.count(LIST_ATTACHED_POLICIES)).isOne();
        assertThat(result.count(ADMIN_GET_USER)).isOne();
    }
}
