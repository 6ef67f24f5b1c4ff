package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.change.Cursors;
import dev.appliancesync.ingest.DeviceIngestion;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.DeviceReports;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** What a subscriber receives, decided when each change is delivered: grants live, revocation cuts off at once. */
@QuarkusTest
class LiveChangesTest {

    private static final String CHANGES = "subscription { changes { cursor type applianceId data } }";
    private static final String SHARE_CHANGES = "subscription { shareChanges { cursor type shareId applianceId role reason } }";
    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { applianceId version reported desired } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    Pool pool;

    @Inject
    DeviceIngestion ingestion;

    @Test
    void aRecipientSeesTheShareGrantedLive() throws Exception {
        User owner = User.signedIn("owner");
        User bob = User.signedIn("bob");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            ws.subscribe("all", CHANGES);
            ws.subscribe("shares", SHARE_CHANGES);
            awaitSubscribed(ws, "all", bob);

            String share = Appliances.share(owner.token(), appliance, bob.email(), "FAMILY");

            JsonObject change = nextFor(ws, "all").getJsonObject("changes");
            assertThat(change.getString("type")).isEqualTo("SHARE_GRANTED");
            assertThat(change.getString("applianceId")).isEqualTo(appliance);
            JsonObject shareChange = nextFor(ws, "shares").getJsonObject("shareChanges");
            assertThat(shareChange.getString("type")).isEqualTo("SHARE_GRANTED");
            assertThat(shareChange.getString("shareId")).isEqualTo(share);
            assertThat(shareChange.getString("role")).isEqualTo("FAMILY");
            assertThat(shareChange.getString("cursor")).isEqualTo(change.getString("cursor"));

            // From the grant on, the appliance's own changes reach bob too.
            rename(owner, appliance, "Bob's oven now");
            JsonObject renamed = nextFor(ws, "all").getJsonObject("changes");
            assertThat(renamed.getString("type")).isEqualTo("APPLIANCE_RENAMED");
            assertThat(Cursors.parse(renamed.getString("cursor"))).isGreaterThan(Cursors.parse(change.getString("cursor")));
        }
    }

    @Test
    void aRevokedRecipientsSubscriptionEndsWithAccessRevokedAndReceivesNothingMore() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String mine = Appliances.claimed(guest.token(), "MINI_OVEN").id();
        String share = Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        record(appliance, 1, "idle");

        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, guest.token());
                GraphQLWebSocket ownerWs = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("one", STATE_OF, Map.of("a", appliance));
            assertThat(nextFor(ws, "one").getJsonObject("applianceState").getInteger("version")).isEqualTo(1);
            ws.subscribe("all", CHANGES);
            awaitSubscribed(ws, "all", guest);
            ownerWs.subscribe("owner", STATE_OF, Map.of("a", appliance));
            assertThat(nextFor(ownerWs, "owner").getJsonObject("applianceState").getInteger("version")).isEqualTo(1);
            record(appliance, 2, "heating");
            assertThat(nextFor(ws, "one").getJsonObject("applianceState").getInteger("version")).isEqualTo(2);
            assertThat(nextFor(ws, "all").getJsonObject("changes").getString("type")).isEqualTo("DEVICE_STATE");
            assertThat(nextFor(ownerWs, "owner").getJsonObject("applianceState").getInteger("version")).isEqualTo(2);

            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", share))
                    .then().statusCode(200).body("errors", nullValue());

            // The subscription on that appliance ends with ACCESS_REVOKED, then completes.
            JsonObject revoked = nextMessageFor(ws, "one");
            assertThat(revoked.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).isEqualTo("ACCESS_REVOKED");
            assertThat(nextMessageFor(ws, "one").getString("type")).isEqualTo("complete");
            // The stream of everything says why, and no state of that appliance follows.
            assertThat(nextFor(ws, "all").getJsonObject("changes").getString("type")).isEqualTo("SHARE_REVOKED");
            record(appliance, 3, "secret");
            assertThat(nextFor(ownerWs, "owner").getJsonObject("applianceState").getInteger("version")).isEqualTo(3);
            record(mine, 1, "marker"); // delivered after version 3 was: nothing of the revoked appliance came between
            JsonObject next = nextFor(ws, "all").getJsonObject("changes");
            assertThat(next.getString("applianceId")).isEqualTo(mine);
            assertThat(next.getString("data")).contains("marker");
        }
    }

    /**
     * The live view a user's open subscriptions share follows the change feed, which can be behind the database. A
     * subscription to an appliance the database already grants must not wait for the feed: it reads access afresh.
     */
    @Test
    void aSubscriptionToAnApplianceJustSharedGetsItsStateBeforeTheFeedHasTheGrant() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        record(appliance, 1, "idle");
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, guest.token())) {
            ws.subscribe("all", CHANGES);
            awaitSubscribed(ws, "all", guest); // the guest's live view exists, without the appliance
            // The grant as the database has it while the feed has not delivered SHARE_GRANTED yet (here: never).
            pool.preparedQuery("insert into share (appliance_id, recipient_id, role, granted_by) values ($1, $2, 'GUEST', $3)")
                    .execute(Tuple.of(UUID.fromString(appliance), UUID.fromString(guest.id()), UUID.fromString(owner.id())))
                    .await().atMost(Duration.ofSeconds(10));

            ws.subscribe("one", STATE_OF, Map.of("a", appliance));
            assertThat(nextFor(ws, "one").getJsonObject("applianceState").getInteger("version")).isEqualTo(1);
        }
    }

    @Test
    void aGuestNeverReceivesTheSettingsItMayNotView() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        User family = User.signedIn("family");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        Appliances.share(owner.token(), appliance, family.email(), "FAMILY");
        try (GraphQLWebSocket guestWs = GraphQLWebSocket.connected(graphql, guest.token());
                GraphQLWebSocket familyWs = GraphQLWebSocket.connected(graphql, family.token())) {
            guestWs.subscribe("state", STATE_OF, Map.of("a", appliance));
            guestWs.subscribe("all", CHANGES);
            familyWs.subscribe("state", STATE_OF, Map.of("a", appliance));
            awaitSubscribed(guestWs, "all", guest);
            awaitSubscribed(familyWs, "ready", family);
            record(appliance, 5, "baking");

            JsonObject seenByGuest = nextFor(guestWs, "state").getJsonObject("applianceState");
            assertThat(seenByGuest.getString("reported")).contains("baking");
            assertThat(seenByGuest.getValue("desired")).isNull();
            assertThat(nextFor(guestWs, "all").getJsonObject("changes").getString("data")).contains("baking")
                    .doesNotContain("desired").doesNotContain("220");
            JsonObject seenByFamily = nextFor(familyWs, "state").getJsonObject("applianceState");
            assertThat(seenByFamily.getString("desired")).contains("220");
        }
    }

    @Test
    void anExpiringShareCutsTheRecipientOffAndSaysSo() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String expiresAt = java.time.OffsetDateTime.now().plusSeconds(3).toString();
        GraphQL.post(owner.token(), """
                        mutation($a: ID!, $e: String!, $x: DateTime) { shareAppliance(applianceId: $a, recipientEmail: $e,
                          role: GUEST, expiresAt: $x) { share { id } } }""",
                        Map.of("a", appliance, "e", guest.email(), "x", expiresAt))
                .then().statusCode(200).body("errors", nullValue());
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, guest.token())) {
            ws.subscribe("one", STATE_OF, Map.of("a", appliance));
            ws.subscribe("shares", SHARE_CHANGES);
            awaitSubscribed(ws, "shares", guest);

            JsonObject ended = nextMessageFor(ws, "one");
            assertThat(ended.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).isEqualTo("ACCESS_REVOKED");
            JsonObject expired = nextFor(ws, "shares").getJsonObject("shareChanges");
            assertThat(expired.getString("type")).isEqualTo("SHARE_EXPIRED");
            assertThat(expired.getString("reason")).isEqualTo("EXPIRED");
        }
    }

    @Test
    void aTransferEndsTheFormerRecipientsSubscription() throws Exception {
        User owner = User.signedIn("owner");
        User family = User.signedIn("family");
        User buyer = User.signedIn("buyer");
        String appliance = Appliances.claimed(owner.token(), "COOKER").id();
        Appliances.share(owner.token(), appliance, family.email(), "FAMILY");
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, family.token());
                GraphQLWebSocket buyerWs = GraphQLWebSocket.connected(graphql, buyer.token())) {
            ws.subscribe("one", STATE_OF, Map.of("a", appliance));
            awaitSubscribed(ws, "ready", family);
            buyerWs.subscribe("shares", SHARE_CHANGES);
            awaitSubscribed(buyerWs, "shares", buyer);
            GraphQL.post(owner.token(), "mutation($a: ID!, $e: String!) { transferOwnership(applianceId: $a, newOwnerEmail: $e) }",
                    Map.of("a", appliance, "e", buyer.email())).then().statusCode(200).body("errors", nullValue());

            assertThat(nextMessageFor(ws, "one").getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).isEqualTo("ACCESS_REVOKED");
            assertThat(nextFor(buyerWs, "shares").getJsonObject("shareChanges").getString("type"))
                    .isEqualTo("OWNERSHIP_TRANSFERRED");
        }
    }

    @Test
    void aStrangerSubscribingToSomeoneElsesApplianceGetsNothingButNotFound() throws Exception {
        User owner = User.signedIn("owner");
        User stranger = User.signedIn("stranger");
        String appliance = Appliances.claimed(owner.token(), "GENERIC").id();
        record(appliance, 1, "private");
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, stranger.token())) {
            ws.subscribe("guess", STATE_OF, Map.of("a", appliance));
            JsonObject refused = ws.nextMessage("guess");
            assertThat(refused.encode()).doesNotContain("private");
            assertThat(refused.getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getJsonObject("extensions").getString("code")).isEqualTo("NOT_FOUND");
            assertThat(ws.nextMessage("guess").getString("type")).isEqualTo("complete");

            ws.subscribe("every", "subscription { applianceState { applianceId version } }");
            ws.subscribe("all", CHANGES);
            awaitSubscribed(ws, "all", stranger);
            record(appliance, 2, "private");
            rename(owner, appliance, "private name");
            String mine = Appliances.claimed(stranger.token(), "GENERIC").id();
            record(mine, 1, "mine");
            // The stranger's own changes arrive; the owner's, made before them, never do.
            JsonObject next = nextFor(ws, "all").getJsonObject("changes");
            assertThat(next.getString("type")).isEqualTo("APPLIANCE_CLAIMED");
            assertThat(next.getString("applianceId")).isEqualTo(mine);
            assertThat(nextFor(ws, "every").getJsonObject("applianceState").getString("applianceId")).isEqualTo(mine);
        }
    }

    @Test
    void stateIsLatestWinsByShadowVersionWhateverOrderReportsArriveIn() throws Exception {
        User owner = User.signedIn("owner");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        record(appliance, 5, "five");
        assertThat(record(appliance, 3, "three, late")).isFalse();
        assertThat(record(appliance, 5, "five again")).isFalse();
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("state", STATE_OF, Map.of("a", appliance));
            JsonObject first = nextFor(ws, "state").getJsonObject("applianceState");
            assertThat(first.getInteger("version")).isEqualTo(5);
            assertThat(first.getString("reported")).contains("\"five\"");
            assertThat(record(appliance, 4, "four, late")).isFalse();
            assertThat(record(appliance, 6, "six")).isTrue();
            JsonObject next = nextFor(ws, "state").getJsonObject("applianceState");
            assertThat(next.getInteger("version")).isEqualTo(6);
        }
    }

    /**
     * Changes reach a subscription in bursts (all those of one read of the log at once) and are handed from the
     * context that decides to the subscriber's with a bounded window of requests: a subscriber that keeps up is never
     * ended as too slow, however many it receives in all. With the hand-over before the buffer, a burst that met the
     * end of a window (every 256th change) ended it with SLOW_CONSUMER.
     */
    @Test
    void aSubscriberThatKeepsUpIsNeverEndedAsTooSlowHoweverManyChangesItGets() throws Exception {
        User owner = User.signedIn("owner");
        List<Appliances.Claimed> appliances = new ArrayList<>();
        for (int a = 0; a < 3; a++) { // 3, not 4: a burst then straddles the 256th change
            appliances.add(Appliances.claimed(owner.token(), "MINI_OVEN"));
        }
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("states", "subscription { applianceState { applianceId version } }");
            awaitSubscribed(ws, "states", owner);
            int rounds = 300; // 900 changes, past three windows of 256
            for (int version = 1; version <= rounds; version++) {
                // One batch, one transaction: its states are read from the log, and handed on, together.
                List<DeviceIngestion.Inbound> batch = new ArrayList<>();
                for (Appliances.Claimed appliance : appliances) {
                    batch.add(new DeviceIngestion.Inbound("aws/things/" + appliance.serialNumber()
                            + "/shadow/update/documents",
                            MqttDevice.shadowDocument(version, "busy").getBytes(StandardCharsets.UTF_8)));
                }
                ingestion.apply(batch).await().atMost(Duration.ofSeconds(10));
                Set<String> seen = new HashSet<>();
                for (int a = 0; a < appliances.size(); a++) {
                    JsonObject message = ws.nextMessage("states");
                    assertThat(message.getString("type")).as("version %d: %s", version, message).isEqualTo("next");
                    assertThat(message.getJsonObject("payload").getValue("errors")).as("version %d: %s", version,
                            message).isNull();
                    JsonObject state = message.getJsonObject("payload").getJsonObject("data")
                            .getJsonObject("applianceState");
                    assertThat(state.getInteger("version")).as("version %d: %s", version, message).isEqualTo(version);
                    seen.add(state.getString("applianceId"));
                }
                assertThat(seen).as("version %d", version)
                        .containsExactlyInAnyOrderElementsOf(appliances.stream().map(Appliances.Claimed::id).toList());
            }
        }
    }

    @Test
    void preferencesFollowTheUserAcrossTheirDevices() throws Exception {
        User owner = User.signedIn("owner");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        try (GraphQLWebSocket phone = GraphQLWebSocket.connected(graphql, owner.token())) {
            phone.subscribe("prefs", "subscription($a: ID) { preferencesChanged(applianceId: $a) { applianceId version settings } }",
                    Map.of("a", appliance));
            phone.subscribe("all", CHANGES);
            awaitSubscribed(phone, "all", owner);
            GraphQL.post(owner.token(), "mutation($a: ID!) { updatePreferences(applianceId: $a, settings: \"{\\\"unit\\\":\\\"C\\\"}\") { version } }",
                    Map.of("a", appliance)).then().statusCode(200).body("errors", nullValue());
            JsonObject prefs = nextFor(phone, "prefs").getJsonObject("preferencesChanged");
            assertThat(prefs.getInteger("version")).isEqualTo(1);
            assertThat(prefs.getString("settings")).contains("unit");
        }
    }

    /**
     * Subscriptions are in place once a change reaches them: subscribes to everything last (as {@code id}), claims an
     * appliance and waits for that change there. Subscriptions are set up in the order they were sent.
     */
    private void awaitSubscribed(GraphQLWebSocket ws, String id, User user) throws Exception {
        if (!"all".equals(id)) {
            ws.subscribe(id = "ready", CHANGES);
        }
        String marker = Appliances.claimed(user.token(), "GENERIC").id();
        JsonObject change;
        do {
            change = nextFor(ws, id);
        } while (!change.encode().contains(marker));
    }

    /** A device reports its shadow; true if it was newer than the stored one. */
    private boolean record(String applianceId, long version, String status) {
        return DeviceReports.oven(states, applianceId, version, status, 220);
    }

    private static void rename(User owner, String appliance, String name) {
        GraphQL.post(owner.token(), "mutation($a: ID!, $n: String!) { renameAppliance(applianceId: $a, name: $n) { id } }",
                Map.of("a", appliance, "n", name)).then().statusCode(200).body("errors", nullValue());
    }

    /** The next data of {@code id}, past the cloud reconciler's SHARE_CLOUD_SYNC entries (they come when they come). */
    private static JsonObject nextFor(GraphQLWebSocket ws, String id) throws InterruptedException {
        JsonObject data;
        do {
            data = ws.nextData(id);
        } while (isCloudSync(data.getJsonObject("changes")) || isCloudSync(data.getJsonObject("shareChanges")));
        return data;
    }

    private static boolean isCloudSync(JsonObject change) {
        return change != null && "SHARE_CLOUD_SYNC".equals(change.getString("type"));
    }

    private static JsonObject nextMessageFor(GraphQLWebSocket ws, String id) throws InterruptedException {
        return ws.nextMessage(id);
    }
}
