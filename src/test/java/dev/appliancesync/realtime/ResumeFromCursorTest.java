package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * `changes(after:)` and `shareChanges(after:)`: what came after the cursor, then live, one stream; and the edges of
 * it: a gap longer than a subscription's buffer, an expired cursor, a cursor that is not one.
 */
@QuarkusTest
class ResumeFromCursorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String RESUME = "subscription($after: String) { changes(after: $after) { cursor type data } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Transactions db;

    @Inject
    ChangeLog log;

    @Inject
    ChangeRetention retention;

    @Inject
    Database database;

    @Inject
    RealtimeConfig config;

    @Test
    void aGapLongerThanTheBufferIsReplayedInOrderAtTheSubscribersPaceThenLive() throws Exception {
        User bob = User.signedIn("bob");
        String away = cursorOfNow(bob);
        int missed = config.maxBufferedEvents() * 4;
        UUID bobId = UUID.fromString(bob.id());
        for (int i = 0; i < missed; i++) {
            int n = i;
            db.inTransaction(tx -> log.append(tx, Change.forUser(bobId, ChangeType.PREFERENCES_CHANGED,
                    new JsonObject().put("n", n))))
                    .await().atMost(WAIT);
        }
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            ws.subscribe("c", RESUME, Map.of("after", away));
            List<Integer> replayed = new ArrayList<>();
            String last = away;
            while (replayed.size() < missed) {
                JsonObject change = ws.nextData("c").getJsonObject("changes");
                assertThat(Cursors.parse(change.getString("cursor"))).isGreaterThan(Cursors.parse(last));
                last = change.getString("cursor");
                if ("PREFERENCES_CHANGED".equals(change.getString("type"))) {
                    replayed.add(new JsonObject(change.getString("data")).getInteger("n"));
                }
            }
            assertThat(replayed).as("every missed change, in order, none ended as SLOW_CONSUMER")
                    .isEqualTo(java.util.stream.IntStream.range(0, missed).boxed().toList());
            String appliance = Appliances.claimed(bob.token(), "GENERIC").id();
            JsonObject live;
            do {
                live = ws.nextData("c").getJsonObject("changes");
            } while (!"APPLIANCE_CLAIMED".equals(live.getString("type")));
            assertThat(live.getString("data")).contains(appliance);
        }
    }

    @Test
    void shareChangesResumesFromACursorToo() throws Exception {
        User owner = User.signedIn("owner");
        User bob = User.signedIn("bob");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String away = cursorOfNow(bob);
        String shareId = Appliances.share(owner.token(), appliance, bob.email(), "GUEST");
        GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { id } }", Map.of("s", shareId))
                .then().statusCode(200).body("errors", nullValue());
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            ws.subscribe("s", "subscription($after: String) { shareChanges(after: $after) { type shareId cursor } }",
                    Map.of("after", away));
            List<String> types = new ArrayList<>();
            while (!types.contains("SHARE_REVOKED")) {
                JsonObject change = ws.nextData("s").getJsonObject("shareChanges");
                // SHARE_CLOUD_SYNC comes whenever the cloud reconciler gets there.
                if (shareId.equals(change.getString("shareId")) && !"SHARE_CLOUD_SYNC".equals(change.getString("type"))) {
                    types.add(change.getString("type"));
                }
            }
            assertThat(types).containsExactly("SHARE_GRANTED", "SHARE_REVOKED");
        }
    }

    @Test
    void anExpiredCursorEndsTheSubscriptionWithCursorExpiredAndABadOneIsRefused() throws Exception {
        User bob = User.signedIn("bob");
        UUID bobId = UUID.fromString(bob.id());
        ForgottenEntry forgotten = ForgottenEntry.of(database, retention, bobId);
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            ws.subscribe("old", RESUME, Map.of("after", Cursors.of(forgotten.justBefore())));
            JsonObject expired = errorExtensions(ws.nextMessage("old"));
            assertThat(expired.getString("code")).isEqualTo("CURSOR_EXPIRED");
            assertThat(expired.getString("oldestCursor")).isEqualTo(Cursors.of(forgotten.position()));

            ws.subscribe("bad", RESUME, Map.of("after", "yesterday"));
            assertThat(errorExtensions(ws.nextMessage("bad")).getString("code")).isEqualTo("VALIDATION");
        }
    }

    /** The first error's extensions: an `error` message (refused at once) or a `next` with errors (ended later). */
    private static JsonObject errorExtensions(JsonObject message) {
        io.vertx.core.json.JsonArray errors = "error".equals(message.getString("type")) ? message.getJsonArray("payload")
                : message.getJsonObject("payload").getJsonArray("errors");
        assertThat(errors).as(message.encode()).isNotNull();
        return errors.getJsonObject(0).getJsonObject("extensions");
    }

    private static String cursorOfNow(User user) {
        return GraphQL.post(user.token(), "{ changes(limit: 0) { cursor } }").then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.changes.cursor");
    }
}
