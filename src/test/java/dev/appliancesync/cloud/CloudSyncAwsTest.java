package dev.appliancesync.cloud;

import static dev.appliancesync.cloud.gateway.CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES;
import static dev.appliancesync.cloud.gateway.CloudOperation.ATTACH_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.CREATE_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.CREATE_POLICY_VERSION;
import static dev.appliancesync.cloud.gateway.CloudOperation.DELETE_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.GET_POLICY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.FakeAws.Fault;
import dev.appliancesync.cloud.FakeAwsResource.InjectFakeAws;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.policy.IotQuotas;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.ShareChanges;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/**
 * The reconciler end to end in {@code aws} mode: GraphQL in, the real AWS SDK's wire format out to {@link FakeAws}
 * (IoT REST-JSON, Cognito JSON 1.1), SHARE_CLOUD_SYNC back on shareChanges. Faults are injected on write operations
 * only: drift checks re-read every applied user in the background, and a fault queued for a read could go to one of
 * them instead of the share under test.
 */
@QuarkusTest
@TestProfile(CloudSyncAwsTest.AwsMode.class)
class CloudSyncAwsTest {

    public static class AwsMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    // The gateway's retries within milliseconds, so a test's injected faults cost no real time.
                    "appliance-sync.cloud.calls.base-backoff", "5MS",
                    "appliance-sync.cloud.calls.max-backoff", "20MS",
                    // The drift checks below re-read every applied user every few seconds; at 10 calls per second
                    // they would hold up the shares under test behind them.
                    "appliance-sync.cloud.calls.max-per-second", "100",
                    "appliance-sync.cloud.reconcile.interval", "200MS",
                    "appliance-sync.cloud.reconcile.drift-check-interval", "2S");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeAwsResource.class));
        }
    }

    private static final String SHARE = """
            mutation($a: ID!, $e: String!) {
              shareAppliance(applianceId: $a, recipientEmail: $e, role: FAMILY) { share { id cloudSync } } }""";
    private static final String CLOUD_SYNC = "SHARE_CLOUD_SYNC";
    private static final String FAILED = "appliance_sync.cloud.sync.failed";
    private static final String RETRIED = "appliance_sync.cloud.sync.retried";
    private static final String DRIFT_REPAIRED = "appliance_sync.cloud.sync.drift_repaired";
    /** The principal tags of a FAMILY share on a GENERIC appliance: it reads the status and settings views. */
    private static final Map<String, String> FAMILY_TAGS = Map.of("custom:iot_access", "view",
            "custom:iot_settings", "true");
    private static final Duration REPAIRED_WITHIN = Duration.ofSeconds(20);
    /** Longer than any test: the outage lasts until the test heals it. */
    private static final int OUTAGE = 1_000;

    @InjectFakeAws
    FakeAws aws;

    @Inject
    MeterRegistry metrics;

    @TestHTTPResource("/graphql")
    URI graphql;

    private CloudUsers users;

    /** An owner with a GENERIC appliance and a recipient-to-be with a vended identity, all applied. */
    private record Scene(User owner, Appliances.Claimed appliance, User guest, String identity) {
    }

    @BeforeEach
    void users() {
        users = new CloudUsers(aws);
    }

    @AfterEach
    void nothingTheFakeDidNotUnderstand() {
        aws.heal();
        aws.deleteRightAfterDetach();
        assertThat(aws.unknownRequests()).isEmpty();
    }

    @Test
    void aShareReachesAwsLiveAndItsRevokeLeavesNothingBehind() throws Exception {
        Scene scene = scene("aws-share");
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            assertThat(cloudSync(scene, scene.appliance(), shareId)).isEqualTo("IN_SYNC");

            Map<String, String> desired = desiredPolicies(scene.guest());
            assertThat(desired).isNotEmpty().allSatisfy((name, document) -> {
                assertThat(name).startsWith("appliance-sync-" + scene.guest().id() + "-");
                assertThat(aws.defaultDocument(name)).hasValueSatisfying(
                        held -> assertThat(new JsonObject(held)).isEqualTo(new JsonObject(document)));
            });
            assertThat(aws.attached(scene.identity())).isEqualTo(desired.keySet());
            assertThat(aws.attributes(scene.guest().username())).containsAllEntriesOf(FAMILY_TAGS)
                    .as("retired: no longer written").doesNotContainKey("custom:iot_commands");

            revoke(scene, shareId);
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            assertThat(aws.attached(scene.identity())).isEmpty();
            assertThat(desired.keySet()).noneMatch(aws::exists);
            assertThat(aws.attributes(scene.guest().username())).containsEntry("custom:iot_access", "none");
        }
    }

    @Test
    void throttlingAndServerErrorsOnEveryWriteOfAShareAreRetriedWithinThePass() throws Exception {
        Scene scene = scene("aws-throttled");
        String ours = "appliance-sync-" + scene.guest().id() + "-";
        double putOff = count(RETRIED);
        aws.resetCalls();
        aws.failNext(CREATE_POLICY, 2, Fault.THROTTLING);
        aws.failNext(ATTACH_POLICY, 1, Fault.THROTTLING);
        aws.failNext(ATTACH_POLICY, 1, Fault.SERVICE_UNAVAILABLE);
        aws.failNext(ADMIN_UPDATE_USER_ATTRIBUTES, 1, Fault.TOO_MANY_REQUESTS);
        aws.failNext(ADMIN_UPDATE_USER_ATTRIBUTES, 1, Fault.INTERNAL_ERROR);
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            assertThat(cloudSync(scene, scene.appliance(), shareId)).isEqualTo("IN_SYNC");
        }
        assertThat(statuses(CREATE_POLICY, ours)).containsExactly(400, 400, 200);
        assertThat(statuses(ATTACH_POLICY, ours)).containsExactly(400, 503, 200);
        // Cognito's path is "/" for every user; the others are applied already and make no writes.
        assertThat(statuses(ADMIN_UPDATE_USER_ATTRIBUTES, "/")).containsExactly(400, 500, 200);
        assertThat(count(RETRIED)).as("the gateway's own retries absorbed every fault: no pass was put off")
                .isEqualTo(putOff);
        assertThat(aws.attached(scene.identity())).isEqualTo(desiredPolicies(scene.guest()).keySet());
        assertThat(aws.attributes(scene.guest().username())).containsAllEntriesOf(FAMILY_TAGS);
    }

    @Test
    void aRefusalFailsTheShareLiveWithAwsReasonAndAGrantChangeAfterTheCauseIsGoneConverges() throws Exception {
        Scene scene = scene("aws-refused");
        // Someone else's policies fill the identity's 10 attachment slots: AttachPolicy answers 410 LimitExceeded.
        List<String> foreign = new ArrayList<>();
        for (int i = 0; i < IotQuotas.MAX_POLICIES_PER_IDENTITY; i++) {
            String name = "other-team-" + UUID.randomUUID();
            aws.createPolicyBehindOurBack(name,
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}");
            aws.attachBehindOurBack(name, scene.identity());
            foreign.add(name);
        }
        double failedBefore = count(FAILED);
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String refusedShare = share(scene, scene.appliance());
            JsonObject refused = changes.next(CLOUD_SYNC, refusedShare);
            assertThat(refused.getString("cloudSync")).isEqualTo("FAILED");
            assertThat(refused.getString("reason")).contains("AttachPolicy", "LimitExceededException",
                    "already has 10 policies attached");
            assertThat(cloudSync(scene, scene.appliance(), refusedShare)).isEqualTo("FAILED");
            JsonPath access = CloudUsers.cloudAccess(scene.guest());
            assertThat(access.getString("status")).isEqualTo("FAILED");
            assertThat(access.getString("lastError")).isEqualTo(refused.getString("reason"));
            assertThat(count(FAILED)).isEqualTo(failedBefore + 1);
            assertThat(aws.attached(scene.identity())).as("ours refused, theirs untouched")
                    .containsExactlyInAnyOrderElementsOf(foreign);

            // The cause goes (their owner frees slots) and the grants change: that generation carries the refused
            // share too, so both settle IN_SYNC in one pass.
            int ours = access.getList("policies").size();
            foreign.subList(0, ours).forEach(name -> aws.detachBehindOurBack(name, scene.identity()));
            Appliances.Claimed second = Appliances.claimed(scene.owner().token(), "GENERIC");
            String secondShare = share(scene, second);
            Set<String> settled = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                JsonObject synced = changes.next(CLOUD_SYNC);
                assertThat(synced.getString("cloudSync")).isEqualTo("IN_SYNC");
                settled.add(synced.getString("shareId"));
            }
            assertThat(settled).containsExactlyInAnyOrder(refusedShare, secondShare);
            assertThat(cloudSync(scene, scene.appliance(), refusedShare)).isEqualTo("IN_SYNC");
        }
        Set<String> desired = desiredPolicies(scene.guest()).keySet();
        assertThat(aws.attached(scene.identity())).hasSize(IotQuotas.MAX_POLICIES_PER_IDENTITY)
                .containsAll(desired).containsAll(foreign.subList(desired.size(), foreign.size()));
        assertThat(CloudUsers.cloudAccess(scene.guest()).getString("lastError")).isNull();
        assertThat(count(FAILED)).as("no second refusal").isEqualTo(failedBefore + 1);
    }

    @Test
    void theDriftCheckRepairsADetachAndAnAttributeChangedBehindOurBack() throws Exception {
        Scene scene = scene("aws-drift");
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
        }
        Set<String> policies = desiredPolicies(scene.guest()).keySet();
        String detached = policies.iterator().next();
        double repairedBefore = count(DRIFT_REPAIRED);
        aws.resetCalls();

        aws.detachBehindOurBack(detached, scene.identity());
        aws.setAttributeBehindOurBack(scene.guest().username(), "custom:iot_access", "none");

        Awaitility.await("the drift check repairs " + detached).atMost(REPAIRED_WITHIN)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> count(DRIFT_REPAIRED) > repairedBefore
                        && aws.attached(scene.identity()).equals(policies)
                        && aws.attributes(scene.guest().username()).entrySet().containsAll(FAMILY_TAGS.entrySet()));
        assertThat(statuses(ATTACH_POLICY, detached)).as("attached again once").containsExactly(200);
        assertThat(statuses(CREATE_POLICY, detached)).as("the policy itself was never gone").isEmpty();
        assertThat(cloudSync(scene, scene.appliance(), null)).isEqualTo("IN_SYNC");
    }

    @Test
    void theDriftCheckRepairsAPolicyDocumentChangedBehindOurBackThoughPassesForSharesNoLongerReadIt() throws Exception {
        Scene scene = scene("aws-edited");
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
        }
        Map<String, String> policies = desiredPolicies(scene.guest());
        String edited = policies.keySet().iterator().next();
        double repairedBefore = count(DRIFT_REPAIRED);
        aws.resetCalls();

        // Someone edits our policy in the console: a new default version that grants everything.
        String everything = """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}""";
        aws.newVersionBehindOurBack(edited, everything, true);

        Awaitility.await("the drift check restores " + edited).atMost(REPAIRED_WITHIN)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> count(DRIFT_REPAIRED) > repairedBefore
                        && aws.defaultDocument(edited).map(JsonObject::new)
                                .equals(Optional.of(new JsonObject(policies.get(edited)))));
        assertThat(statuses(GET_POLICY, edited)).as("read by the drift check").isNotEmpty();
        assertThat(statuses(CREATE_POLICY_VERSION, edited)).as("our document again, once").containsExactly(200);
        assertThat(aws.attached(scene.identity())).isEqualTo(policies.keySet());
        assertThat(cloudSync(scene, scene.appliance(), null)).isEqualTo("IN_SYNC");
    }

    @Test
    void aPassThatDiesMidWayLeavesTheSharePendingAndTheNextPassLosesNothing() throws Exception {
        Scene scene = scene("aws-restart");
        double putOffBefore = count(RETRIED);
        aws.resetCalls();
        // AttachPolicy answers 503 to every attempt the gateway makes: the pass gives up after creating the policy.
        aws.failNext(ATTACH_POLICY, OUTAGE, Fault.SERVICE_UNAVAILABLE);
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());

            Awaitility.await("the pass is put off").atMost(REPAIRED_WITHIN).pollInterval(Duration.ofMillis(20))
                    .until(() -> CloudUsers.cloudAccess(scene.guest()).getString("lastError") != null);
            JsonPath access = CloudUsers.cloudAccess(scene.guest());
            assertThat(access.getString("status")).isEqualTo("PENDING");
            assertThat(access.getString("lastError")).contains("AttachPolicy", "ServiceUnavailableException");
            assertThat(access.getLong("appliedGeneration")).isLessThan(access.getLong("desiredGeneration"));
            assertThat(count(RETRIED)).isGreaterThan(putOffBefore);
            assertThat(cloudSync(scene, scene.appliance(), shareId)).isEqualTo("PENDING");
            Set<String> policies = desiredPolicies(scene.guest()).keySet();
            assertThat(policies).allMatch(aws::exists);
            assertThat(aws.attached(scene.identity())).isEmpty();
            assertThat(statuses(ATTACH_POLICY, "")).hasSizeGreaterThanOrEqualTo(5).containsOnly(503);

            aws.heal();
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            assertThat(aws.attached(scene.identity())).isEqualTo(policies);
            assertThat(aws.attributes(scene.guest().username())).containsAllEntriesOf(FAMILY_TAGS);
            for (String policy : policies) {
                assertThat(statuses(CREATE_POLICY, policy)).as("created once; the next pass found it")
                        .containsExactly(200);
                assertThat(aws.versionIds(policy)).containsExactly("1");
            }
            assertThat(CloudUsers.cloudAccess(scene.guest()).getString("lastError")).isNull();
        }
    }

    @Test
    void aPolicyIotCoreWouldNotDeleteRightAfterTheRevokeIsDeletedByALaterPass() throws Exception {
        Scene scene = scene("aws-held");
        aws.holdDeletesAfterDetach();
        Set<String> policies;
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            policies = desiredPolicies(scene.guest()).keySet();
            double repairedBefore = count(DRIFT_REPAIRED);

            revoke(scene, shareId);
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).as("detached is revoked")
                    .isEqualTo("IN_SYNC");
            assertThat(aws.attached(scene.identity())).isEmpty();
            assertThat(policies).as("IoT Core holds the deletes back").allMatch(aws::exists);

            aws.letHeldDeletesThrough();
            Awaitility.await("the held policies deleted").atMost(REPAIRED_WITHIN).pollInterval(Duration.ofMillis(50))
                    .until(() -> policies.stream().noneMatch(aws::exists));
            assertThat(count(DRIFT_REPAIRED)).as("finishing our own revoke is no drift").isEqualTo(repairedBefore);
        }
    }

    @Test
    void aRevokeThatDiesBetweenDetachAndDeleteIsFinishedByTheNextPass() throws Exception {
        Scene scene = scene("aws-half-revoked");
        try (ShareChanges changes = ShareChanges.subscribe(graphql, scene.guest().token())) {
            String shareId = share(scene, scene.appliance());
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            Set<String> policies = desiredPolicies(scene.guest()).keySet();

            aws.failNext(DELETE_POLICY, OUTAGE, Fault.SERVICE_UNAVAILABLE);
            revoke(scene, shareId);
            Awaitility.await("the pass is put off").atMost(REPAIRED_WITHIN).pollInterval(Duration.ofMillis(20))
                    .until(() -> CloudUsers.cloudAccess(scene.guest()).getString("lastError") != null);
            assertThat(aws.attached(scene.identity())).as("detached before it died").isEmpty();
            assertThat(policies).allMatch(aws::exists);

            aws.heal();
            assertThat(changes.next(CLOUD_SYNC, shareId).getString("cloudSync")).isEqualTo("IN_SYNC");
            assertThat(policies).as("no longer attached anywhere, yet found and deleted").noneMatch(aws::exists);
        }
    }

    private Scene scene(String name) {
        User owner = users.signedIn(name + "-owner");
        Appliances.Claimed appliance = Appliances.claimed(owner.token(), "GENERIC");
        CloudUsers.WithIdentity guest = users.withIdentity(name + "-guest");
        CloudUsers.awaitApplied(owner);
        return new Scene(owner, appliance, guest.user(), guest.identity());
    }

    /** Shares with the scene's guest as FAMILY; the mutation's answer says PENDING (nothing applied in its commit). */
    private static String share(Scene scene, Appliances.Claimed appliance) {
        return GraphQL.post(scene.owner().token(), SHARE, Map.of("a", appliance.id(), "e", scene.guest().email()))
                .then().statusCode(200).body("errors", nullValue())
                .body("data.shareAppliance.share.cloudSync", equalTo("PENDING"))
                .extract().path("data.shareAppliance.share.id");
    }

    private static void revoke(Scene scene, String shareId) {
        GraphQL.post(scene.owner().token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }",
                Map.of("s", shareId)).then().statusCode(200).body("errors", nullValue());
    }

    /** {@code Share.cloudSync} as the owner reads it: of {@code shareId}, or of the appliance's only share. */
    private static String cloudSync(Scene scene, Appliances.Claimed appliance, String shareId) {
        List<Map<String, String>> shares = GraphQL.post(scene.owner().token(),
                "query($a: ID!) { appliance(id: $a) { shares { id cloudSync } } }", Map.of("a", appliance.id()))
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.appliance.shares");
        List<Map<String, String>> matching = shares.stream()
                .filter(s -> shareId == null || shareId.equals(s.get("id"))).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0).get("cloudSync");
    }

    /** The compiled policies the service wants the user to have: name to document. */
    private static Map<String, String> desiredPolicies(User user) {
        Map<String, String> policies = new TreeMap<>();
        List<Map<String, String>> listed = CloudUsers.cloudAccess(user).getList("policies");
        listed.forEach(p -> policies.put(p.get("name"), p.get("document")));
        return policies;
    }

    /** The HTTP status of every call of {@code operation} whose path holds {@code pathPart}, in arrival order. */
    private List<Integer> statuses(CloudOperation operation, String pathPart) {
        return aws.callLog().stream().filter(c -> c.operation() == operation && c.rawPath().contains(pathPart))
                .map(FakeAws.Call::status).toList();
    }

    private double count(String counter) {
        return metrics.get(counter).counter().count();
    }
}
