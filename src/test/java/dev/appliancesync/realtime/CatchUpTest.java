package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.change.Cursors;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Never lose: what a disconnected client missed comes back by cursor, exactly once, and nothing it may not see. */
@QuarkusTest
class CatchUpTest {

    private static final String CHANGES = "subscription { changes { cursor type applianceId } }";
    private static final String PAGE = """
            query($since: String, $limit: Int) { changes(since: $since, limit: $limit) {
              changes { cursor type applianceId data } cursor hasMore } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Database database;

    @Inject
    ChangeRetention retention;

    @Inject
    Pool pool;

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aClientThatMissedChangesCatchesUpWithExactlyThoseNoneTwice() throws Exception {
        User owner = User.signedIn("owner");
        User bob = User.signedIn("bob");
        User stranger = User.signedIn("stranger");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String strangers = Appliances.claimed(stranger.token(), "MINI_OVEN").id();
        Appliances.share(owner.token(), appliance, bob.email(), "FAMILY");

        String lastSeen;
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            ws.subscribe("all", CHANGES);
            awaitMarker(ws, bob);
            rename(owner, appliance, "before");
            lastSeen = awaitType(ws, "APPLIANCE_RENAMED").getString("cursor");
        }

        // While bob is away: things he may see, and things he may not.
        rename(owner, appliance, "first");
        rename(stranger, strangers, "not for bob");
        Appliances.share(owner.token(), appliance, bob.email(), "GUEST");
        rename(owner, appliance, "second");

        Map<String, String> received = new LinkedHashMap<>();
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            // The recipe: resubscribe first, then page from the last cursor, de-duplicating by cursor.
            ws.subscribe("all", CHANGES);
            JsonObject live = awaitMarker(ws, bob);
            rename(owner, appliance, "while paging"); // may arrive both live and in a page
            String cursor = lastSeen;
            boolean more = true;
            while (more) {
                JsonPath page = GraphQL.post(bob.token(), PAGE, Map.of("since", cursor, "limit", 2))
                        .then().statusCode(200).body("errors", nullValue()).extract().jsonPath();
                for (Map<String, Object> change : page.<Map<String, Object>> getList("data.changes.changes")) {
                    received.putIfAbsent((String) change.get("cursor"), (String) change.get("type"));
                }
                cursor = page.getString("data.changes.cursor");
                more = page.getBoolean("data.changes.hasMore");
            }
            JsonObject liveRename = awaitType(ws, "APPLIANCE_RENAMED");
            received.putIfAbsent(liveRename.getString("cursor"), liveRename.getString("type"));
            assertThat(received).containsKey(live.getString("cursor"));
        }

        List<String> types = new ArrayList<>(received.values());
        types.removeIf("APPLIANCE_CLAIMED"::equals); // bob's own marker appliance
        types.removeIf("SHARE_CLOUD_SYNC"::equals); // the cloud reconciler's, whenever it gets there
        assertThat(types).containsExactly("APPLIANCE_RENAMED", "SHARE_UPDATED", "APPLIANCE_RENAMED", "APPLIANCE_RENAMED");
        List<Cursors.Position> cursors = received.keySet().stream().map(Cursors::parse).toList();
        assertThat(cursors).isSorted().doesNotHaveDuplicates();
        assertThat(cursors.get(0)).isGreaterThan(Cursors.parse(lastSeen));
    }

    /**
     * A transaction that took its id first but appends last commits first: its entry has the higher sequence number,
     * the other one's appears afterwards with a lower one. Both reach the stream, and a page, once each.
     */
    @Test
    void anEntryThatCommitsAfterALaterNumberedOneIsStillDelivered() throws Exception {
        User bob = User.signedIn("bob");
        String start = GraphQL.post(bob.token(), PAGE, Map.of("limit", 0)).then().statusCode(200)
                .extract().path("data.changes.cursor");
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token())) {
            ws.subscribe("all", "subscription { changes { cursor type applianceId data } }");
            awaitMarker(ws, bob);
            SqlConnection first = pool.getConnection().await().atMost(WAIT);
            SqlConnection second = pool.getConnection().await().atMost(WAIT);
            try {
                for (SqlConnection tx : List.of(first, second)) {
                    run(tx, "begin");
                    run(tx, "select pg_current_xact_id()"); // takes the transaction's id now, in this order
                }
                appendFor(second, bob, "appended first, committed last");
                appendFor(first, bob, "appended last, committed first");
                run(first, "commit");
                assertThat(awaitType(ws, "PREFERENCES_CHANGED").getString("data")).contains("committed first");
                run(second, "commit");
                assertThat(awaitType(ws, "PREFERENCES_CHANGED").getString("data")).contains("committed last");
            } finally {
                first.close().await().atMost(WAIT);
                second.close().await().atMost(WAIT);
            }
        }
        List<String> paged = GraphQL.post(bob.token(), PAGE, Map.of("since", start, "limit", 100)).then()
                .statusCode(200).body("errors", nullValue()).extract().jsonPath()
                .getList("data.changes.changes.data", String.class).stream()
                .filter(data -> data.contains("committed")).toList();
        assertThat(paged).hasSize(2);
        assertThat(paged.get(0)).contains("committed first");
        assertThat(paged.get(1)).contains("committed last");
    }

    private static void run(SqlConnection tx, String sql) {
        tx.query(sql).execute().await().atMost(WAIT);
    }

    private static void appendFor(SqlConnection tx, User user, String note) {
        tx.preparedQuery("insert into change_log (audience, user_id, type, payload) values ('USER', $1, 'PREFERENCES_CHANGED', $2)")
                .execute(Tuple.of(UUID.fromString(user.id()), new JsonObject().put("note", note)))
                .await().atMost(WAIT);
    }

    @Test
    void aPageHoldsOnlyWhatTheCallerMaySee() {
        User owner = User.signedIn("owner");
        User stranger = User.signedIn("stranger");
        String start = GraphQL.post(stranger.token(), PAGE, Map.of("limit", 0)).then().statusCode(200)
                .body("errors", nullValue()).body("data.changes.changes", org.hamcrest.Matchers.empty())
                .extract().path("data.changes.cursor");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        rename(owner, appliance, "private");
        GraphQL.post(stranger.token(), PAGE, Map.of("since", start, "limit", 100)).then().statusCode(200)
                .body("errors", nullValue())
                .body("data.changes.changes", org.hamcrest.Matchers.empty())
                .body("data.changes.hasMore", equalTo(false));
        GraphQL.post(owner.token(), PAGE, Map.of("since", start, "limit", 100)).then().statusCode(200)
                .body("data.changes.changes.type", org.hamcrest.Matchers.hasItems("APPLIANCE_CLAIMED", "APPLIANCE_RENAMED"));
    }

    @Test
    void aCursorOlderThanTheRetainedLogIsExpiredAndABadOneIsRefused() {
        User bob = User.signedIn("bob");
        UUID bobId = UUID.fromString(bob.id());
        ForgottenEntry forgotten = ForgottenEntry.of(database, retention, bobId);

        GraphQL.post(bob.token(), PAGE, Map.of("since", Cursors.of(forgotten.justBefore())))
                .then().statusCode(200)
                .body("errors[0].extensions.code", equalTo("CURSOR_EXPIRED"))
                .body("errors[0].extensions.oldestCursor", equalTo(Cursors.of(forgotten.position())));
        GraphQL.post(bob.token(), PAGE, Map.of("since", Cursors.of(forgotten.position())))
                .then().statusCode(200).body("errors", nullValue());
        GraphQL.post(bob.token(), PAGE, Map.of("since", "yesterday")).then().statusCode(200)
                .body("errors[0].extensions.code", equalTo("VALIDATION"));
        // Past the end of the log: no cursor it handed out can be, and it would wait for entries that never come.
        Cursors.Position pastTheEnd = new Cursors.Position(forgotten.position().txId() + 1_000_000_000L, 0);
        GraphQL.post(bob.token(), PAGE, Map.of("since", Cursors.of(pastTheEnd)))
                .then().statusCode(200).body("errors[0].extensions.code", equalTo("VALIDATION"));
        GraphQL.post(bob.token(), PAGE, Map.of("limit", 100_000)).then().statusCode(200)
                .body("errors[0].extensions.code", equalTo("VALIDATION"));
    }

    private static JsonObject awaitType(GraphQLWebSocket ws, String type) throws InterruptedException {
        JsonObject change;
        do {
            change = ws.nextData("all").getJsonObject("changes");
        } while (!type.equals(change.getString("type")));
        return change;
    }

    /** The subscription is in place once it delivers a change made after it was sent. */
    private static JsonObject awaitMarker(GraphQLWebSocket ws, User user) throws InterruptedException {
        String marker = Appliances.claimed(user.token(), "GENERIC").id();
        JsonObject change;
        do {
            change = ws.nextData("all").getJsonObject("changes");
        } while (!marker.equals(change.getString("applianceId")));
        return change;
    }

    private static void rename(User owner, String appliance, String name) {
        GraphQL.post(owner.token(), "mutation($a: ID!, $n: String!) { renameAppliance(applianceId: $a, name: $n) { id } }",
                Map.of("a", appliance, "n", name)).then().statusCode(200).body("errors", nullValue());
    }
}
