package dev.appliancesync.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.sync.StaleLayoutUpgrade;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.CloudSessions;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.ShareChanges;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Grants reach the cloud's own gates: the outbox compiles them in the grant's transaction, the reconciler applies them
 * (here to the local gateway, PostgreSQL), the share's cloudSync moves from PENDING to IN_SYNC live, and the
 * evaluator says what AWS would answer for the recipient, before and after a revoke.
 */
@QuarkusTest
class CloudAccessSyncTest {

    private static final String EXPLAIN = """
            query($u: ID!, $a: String!, $r: String!) {
              explainAccess(userId: $u, action: $a, resource: $r) {
                allowed decidedBy iotPolicies { allowed reason policyName } roleGate { allowed reason } } }""";
    private static final String ARN = "arn:aws:iot:xx-local-1:000000000000:";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Database database;

    @Inject
    StaleLayoutUpgrade upgrade;

    @Test
    void aShareReachesTheCloudLiveAndItsRevokeTakesItAway() throws Exception {
        User owner = User.signedIn("cloud-owner");
        User guest = User.signedIn("cloud-guest");
        String identity = CloudSessions.identityOf(guest);
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "GENERIC");
        String thing = thingName(owner, oven.id());

        try (ShareChanges changes = ShareChanges.subscribe(graphql, guest.token())) {
            String shareId = GraphQL.post(owner.token(), """
                    mutation($a: ID!, $e: String!) {
                      shareAppliance(applianceId: $a, recipientEmail: $e, role: FAMILY) { share { id cloudSync } } }""",
                    Map.of("a", oven.id(), "e", guest.email()))
                    .then().statusCode(200).body("errors", nullValue())
                    .body("data.shareAppliance.share.cloudSync", equalTo("PENDING"))
                    .extract().path("data.shareAppliance.share.id");

            assertThat(changes.next("SHARE_GRANTED").getString("shareId")).isEqualTo(shareId);
            JsonObject synced = changes.next("SHARE_CLOUD_SYNC");
            assertThat(synced.getString("shareId")).isEqualTo(shareId);
            assertThat(synced.getString("cloudSync")).isEqualTo("IN_SYNC");
            shareStatus(owner, oven.id()).body("data.appliance.shares[0].cloudSync", equalTo("IN_SYNC"));

            // What AWS holds now (the local gateway's tables): the guest's policies on the guest's identity.
            List<String> attached = attachedTo(identity);
            assertThat(attached).isNotEmpty().allMatch(name -> name.startsWith("appliance-sync-" + guest.id() + "-"));
            assertThat(database.strings("select v.document from cloud_local_policy p join cloud_local_policy_version v "
                    + "on v.policy_name = p.name and v.version_id = p.default_version_id where p.name = any($1)",
                    (Object) attached.toArray(String[]::new))).anyMatch(document -> document.contains(thing));

            // FAMILY on a GENERIC appliance: reads its status and settings views, and nothing of the device's own
            // topics; publishes nothing (settings and commands go through the API).
            explain(guest, "iot:Receive", ARN + "topic/view/things/" + thing + "/status")
                    .body("data.explainAccess.allowed", equalTo(true))
                    .body("data.explainAccess.decidedBy", equalTo("BOTH"));
            explain(guest, "iot:Subscribe", ARN + "topicfilter/view/things/" + thing + "/settings")
                    .body("data.explainAccess.allowed", equalTo(true));
            explain(guest, "iot:Receive", ARN + "topic/$aws/things/" + thing + "/shadow/update/documents")
                    .body("data.explainAccess.allowed", equalTo(false));
            explain(guest, "iot:Receive", ARN + "topic/appliances/" + thing + "/commands")
                    .body("data.explainAccess.allowed", equalTo(false));
            explain(guest, "iot:Publish", ARN + "topic/$aws/things/" + thing + "/shadow/update")
                    .body("data.explainAccess.allowed", equalTo(false))
                    .body("data.explainAccess.roleGate.reason", equalTo("EXPLICIT_DENY"))
                    .body("data.explainAccess.iotPolicies.reason", equalTo("IMPLICIT_DENY"));
            explain(guest, "iot:Publish", ARN + "topic/appliances/" + thing + "/commands")
                    .body("data.explainAccess.allowed", equalTo(false))
                    .body("data.explainAccess.iotPolicies.reason", equalTo("IMPLICIT_DENY"));
            // Several connections at once (phone, tablet), each <identity id>-<anything>; never another's.
            explain(guest, "iot:Connect", ARN + "client/" + identity + "-phone")
                    .body("data.explainAccess.allowed", equalTo(true));
            explain(guest, "iot:Connect", ARN + "client/" + identity + "-tablet")
                    .body("data.explainAccess.allowed", equalTo(true));
            explain(guest, "iot:Connect", ARN + "client/" + identity)
                    .body("data.explainAccess.allowed", equalTo(false));
            explain(guest, "iot:Connect", ARN + "client/someone-else-phone")
                    .body("data.explainAccess.allowed", equalTo(false));

            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }",
                    Map.of("s", shareId)).then().statusCode(200).body("errors", nullValue());
            explain(guest, "iot:Receive", ARN + "topic/view/things/" + thing + "/status")
                    .body("data.explainAccess.allowed", equalTo(false));
            assertThat(changes.next("SHARE_REVOKED").getString("shareId")).isEqualTo(shareId);
            JsonObject revokeSynced = changes.next("SHARE_CLOUD_SYNC");
            assertThat(revokeSynced.getString("shareId")).isEqualTo(shareId);
            assertThat(revokeSynced.getString("cloudSync")).isEqualTo("IN_SYNC");
            assertThat(attachedTo(identity)).as("no grants left: nothing attached").isEmpty();
        }
        GraphQL.post(guest.token(), "{ cloudAccess { status policies { name } } }").then().statusCode(200)
                .body("errors", nullValue()).body("data.cloudAccess.policies.size()", equalTo(0));
    }

    /**
     * Access compiled before the view layout (namespaces, publishing, tags control and iot_commands) is recompiled
     * once by the startup upgrade, a new desired generation for the reconciler to apply; a second run finds nobody.
     */
    @Test
    void accessCompiledForTheOldLayoutIsRecompiledOnce() {
        User owner = User.signedIn("layout-owner");
        User guest = User.signedIn("layout-guest");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "GENERIC");
        Appliances.share(owner.token(), oven.id(), guest.email(), "FAMILY");
        String thing = thingName(owner, oven.id());
        String old = new JsonArray().add(new JsonObject().put("name", "appliance-sync-" + guest.id() + "-1")
                .put("document", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                        + "\"iot:Publish\",\"Resource\":[\"" + ARN + "topic/$aws/things/" + thing
                        + "/shadow/update\"]}]}")).encode();
        assertThat(database.count("with u as (update cloud_sync_state set desired_policies = $2::text::jsonb, "
                + "desired_tags = '{\"iot_access\": \"control\", \"iot_settings\": \"true\", "
                + "\"iot_commands\": \"false\"}'::jsonb where user_id = $1::uuid returning 1) select count(*) from u",
                guest.id(), old)).isOne();
        long before = database.number("select desired_generation from cloud_sync_state where user_id = $1::uuid",
                guest.id());

        assertThat(upgrade.run().await().atMost(Duration.ofSeconds(30))).isPositive();

        assertThat(database.strings("select desired_tags::text from cloud_sync_state where user_id = $1::uuid",
                guest.id())).singleElement().satisfies(tags -> assertThat(new JsonObject(tags).getMap())
                        .isEqualTo(Map.of("iot_access", "view", "iot_settings", "true")));
        assertThat(database.strings("select desired_policies::text from cloud_sync_state where user_id = $1::uuid",
                guest.id())).singleElement().asString().contains("view/things/" + thing + "/status")
                .doesNotContain("$aws/things");
        long after = database.number("select desired_generation from cloud_sync_state where user_id = $1::uuid",
                guest.id());
        assertThat(after).isGreaterThan(before);
        assertThat(upgrade.run().await().atMost(Duration.ofSeconds(30))).as("nobody stale any more").isZero();
        assertThat(database.number("select desired_generation from cloud_sync_state where user_id = $1::uuid",
                guest.id())).isEqualTo(after);
    }

    /**
     * A household GUEST reaches the household's appliances through the household's status channel (one statement for
     * all of them, present and future), not through their settings, and not another household's.
     */
    @Test
    void aHouseholdGuestReadsItsHouseholdsStatusChannelOnly() {
        User owner = User.signedIn("household-owner");
        User guest = User.signedIn("household-guest");
        JsonObject household = new JsonObject(GraphQL.post(owner.token(),
                "mutation { createHousehold(name: \"Home\") { id thingPrefix } }").then().statusCode(200)
                .body("errors", nullValue()).extract().jsonPath().getMap("data.createHousehold"));
        String prefix = household.getString("thingPrefix");
        String other = GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Cabin\") { thingPrefix } }")
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.createHousehold.thingPrefix");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "GENERIC");
        GraphQL.post(owner.token(), """
                mutation($a: ID!, $h: ID) { assignApplianceToHousehold(applianceId: $a, householdId: $h) { id } }""",
                Map.of("a", oven.id(), "h", household.getString("id"))).then().statusCode(200)
                .body("errors", nullValue());
        Households.join(owner.token(), household.getString("id"), guest.email(), guest.token(), "GUEST");
        String thing = thingName(owner, oven.id());

        for (String filter : List.of("status/+", "status/#", "status/" + thing)) {
            explain(guest, "iot:Subscribe", ARN + "topicfilter/view/households/" + prefix + "/" + filter)
                    .body("data.explainAccess.allowed", equalTo(true));
        }
        explain(guest, "iot:Receive", ARN + "topic/view/households/" + prefix + "/status/" + thing)
                .body("data.explainAccess.allowed", equalTo(true));
        explain(guest, "iot:Receive", ARN + "topic/view/households/" + prefix + "/settings/" + thing)
                .body("data.explainAccess.allowed", equalTo(false));
        explain(guest, "iot:Subscribe", ARN + "topicfilter/view/households/" + other + "/status/+")
                .body("data.explainAccess.allowed", equalTo(false));
        explain(guest, "iot:Subscribe", ARN + "topicfilter/view/households/+/status/+")
                .body("data.explainAccess.allowed", equalTo(false));
        explain(guest, "iot:Receive", ARN + "topic/$aws/things/" + thing + "/shadow/update/documents")
                .body("data.explainAccess.allowed", equalTo(false));
    }

    /**
     * Access changes for one user committed at the same time: each transaction compiles the user's policies at its
     * end, and one that read the grants before another committed must not overwrite the other's result with less.
     */
    @Test
    void concurrentSharesToOneRecipientAllReachItsCompiledPolicies() throws Exception {
        User recipient = User.signedIn("popular");
        List<User> owners = IntStream.range(0, 8).mapToObj(i -> User.signedIn("owner" + i)).toList();
        List<String> appliances = owners.stream().map(owner -> Appliances.claimed(owner.token(), "MINI_OVEN").id())
                .toList();
        ExecutorService senders = Executors.newFixedThreadPool(owners.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> shares = new ArrayList<>();
            for (int i = 0; i < owners.size(); i++) {
                User owner = owners.get(i);
                String appliance = appliances.get(i);
                shares.add(senders.submit(() -> {
                    go.await();
                    return Appliances.share(owner.token(), appliance, recipient.email(), "FAMILY");
                }));
            }
            go.countDown();
            for (Future<String> share : shares) {
                share.get(60, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        String desired = String.join("", database.strings(
                "select desired_policies::text from cloud_sync_state where user_id = $1::uuid", recipient.id()));
        for (String appliance : appliances) {
            String thing = String.join("", database.strings("select thing_name from appliance where id = $1::uuid",
                    appliance));
            assertThat(desired).as("the recipient's compiled policies name %s", thing).contains(thing);
        }
    }

    @Test
    void grantsThatDoNotFitTheQuotasFailWithQuotaExceededAndWidenNothing() {
        User guest = User.signedIn("cloud-many");
        int granted = 0;
        ValidatableResponse refused = null;
        User owner = null;
        // Each appliance outside a household needs statements of its own; 10 documents of 2,048 characters end it
        // (60 appliances with view and settings and 12-character thing names, docs/cloud-access.md). Owners hit the same limit with their own appliances, so
        // several owners share theirs here, so that the guest's grants are the ones that overflow.
        for (int i = 0; i < 200 && refused == null; i++) {
            if (i % 8 == 0) {
                owner = User.signedIn("cloud-owner-" + i);
            }
            Appliances.Claimed appliance = Appliances.claimed(owner.token(), "GENERIC");
            ValidatableResponse response = GraphQL.post(owner.token(), """
                    mutation($a: ID!, $e: String!) {
                      shareAppliance(applianceId: $a, recipientEmail: $e, role: FAMILY) { share { id } } }""",
                    Map.of("a", appliance.id(), "e", guest.email())).then().statusCode(200);
            if (response.extract().path("errors") == null) {
                granted++;
            } else {
                refused = response;
            }
        }
        assertThat(refused).as("some grant must overflow the quotas").isNotNull();
        refused.body("errors[0].extensions.code", equalTo("QUOTA_EXCEEDED"))
                .body("errors[0].extensions.limit", equalTo("IOT_POLICIES"));
        assertThat(granted).isGreaterThan(5);
        // The refused share was rolled back with its transaction, and the compiled access kept every earlier grant.
        assertThat(database.count("select count(*) from share where recipient_id = $1::uuid and revoked_at is null",
                guest.id())).isEqualTo(granted);
        List<Object> policies = GraphQL.post(guest.token(), "{ cloudAccess { policies { name document } } }")
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.cloudAccess.policies");
        assertThat(policies).hasSizeBetween(1, 10);
    }

    @Test
    void onlyOperatorsInspectOtherUsersAndEachUserIsVendedTheirOwnIdentity() {
        User alice = User.signedIn("cloud-alice");
        User mallory = User.signedIn("cloud-mallory");
        User operator = User.signedIn("cloud-operator", List.of("admin"));
        GraphQL.post(mallory.token(), "query($u: ID) { cloudAccess(userId: $u) { status } }", Map.of("u", alice.id()))
                .then().statusCode(200).body("errors[0].extensions.code", equalTo("FORBIDDEN"));
        GraphQL.post(mallory.token(), EXPLAIN, Map.of("u", alice.id(), "a", "iot:Connect", "r", ARN + "client/x"))
                .then().statusCode(200).body("errors[0].extensions.code", equalTo("FORBIDDEN"));
        GraphQL.post(operator.token(), "query($u: ID) { cloudAccess(userId: $u) { userId status } }",
                Map.of("u", alice.id())).then().statusCode(200).body("errors", nullValue())
                .body("data.cloudAccess.userId", equalTo(alice.id()));

        // The local gateway's identity pool: one identity per user, kept in PostgreSQL, <pool's region>:<uuid>.
        String identity = CloudSessions.identityOf(alice);
        assertThat(identity).matches("xx-local-1:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
        assertThat(CloudSessions.identityOf(alice)).isEqualTo(identity);
        assertThat(CloudSessions.identityOf(mallory)).isNotEqualTo(identity);
        assertThat(database.strings("select identity_id from cloud_local_identity where login = $1", alice.id()))
                .containsExactly(identity);
        GraphQL.post(operator.token(), "query($u: ID) { cloudAccess(userId: $u) { identityId } }",
                Map.of("u", alice.id())).then().statusCode(200).body("data.cloudAccess.identityId", equalTo(identity));
    }

    private ValidatableResponse explain(User user, String action, String resource) {
        User operator = User.signedIn("cloud-explainer", List.of("admin"));
        return GraphQL.post(operator.token(), EXPLAIN, Map.of("u", user.id(), "a", action, "r", resource))
                .then().statusCode(200).body("errors", nullValue());
    }

    private static ValidatableResponse shareStatus(User owner, String applianceId) {
        return GraphQL.post(owner.token(), "query($a: ID!) { appliance(id: $a) { shares { cloudSync } } }",
                Map.of("a", applianceId)).then().statusCode(200).body("errors", nullValue());
    }

    private static String thingName(User owner, String applianceId) {
        return GraphQL.post(owner.token(), "query($a: ID!) { appliance(id: $a) { thingName } }", Map.of("a", applianceId))
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.appliance.thingName");
    }

    private List<String> attachedTo(String identity) {
        return database.strings("select policy_name from cloud_local_policy_attachment where target = $1 "
                + "order by policy_name", identity);
    }
}
