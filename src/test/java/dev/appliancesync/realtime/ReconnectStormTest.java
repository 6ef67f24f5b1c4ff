package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.identity.UserService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Many subscriptions arriving at once (every app reconnecting after a deploy): one access read and one sign-in per user
 * however many of their connections arrive together, subscriptions over the admission rate accepted and started later,
 * and the rest of the API answering meanwhile. On an instance admitting one user a second, one at a time, so that the
 * queue is there to see, and keeping a sign-in for a minute, so that a burst a second or two after another is within
 * that window however loaded the machine.
 */
@QuarkusTest
@TestProfile(ReconnectStormTest.SlowAdmission.class)
class ReconnectStormTest {

    public static class SlowAdmission implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("appliance-sync.realtime.admission.per-second", "1",
                    "appliance-sync.realtime.admission.max-concurrent", "1",
                    "appliance-sync.realtime.admission.max-waiting", Integer.toString(MAX_WAITING),
                    "appliance-sync.identity.reuse-sign-in-for", "PT1M");
        }
    }

    /** Above what queriesKeepAnsweringWhileSubscriptionsWait queues (250). */
    private static final int MAX_WAITING = 260;
    private static final int PER_CONNECTION = 25;
    private static final String CHANGES = "subscription { changes { cursor type } }";
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    MeterRegistry metrics;

    @Inject
    SubscriptionAdmission admission;

    @Inject
    UserService users;

    private Vertx clients;
    private final List<GraphQLWebSocket> open = new ArrayList<>();

    @BeforeEach
    void startClients() {
        clients = Vertx.vertx();
    }

    @AfterEach
    void closeAll() throws Exception {
        open.forEach(GraphQLWebSocket::close);
        clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aUsersConnectionsArrivingTogetherSignInAndReadTheirAccessOnce() throws Exception {
        User owner = User.signedIn("reconnecting");
        List<GraphQLWebSocket> connections = connect(owner, 10);
        // Something to read. Its claim changes the owner's access, so the feed, which may run behind, must have
        // passed it before the burst: otherwise it rightly reads their access once more for it. A subscription that
        // was live before the claim and has seen it shows that (entries past the feed reach no one but through it).
        GraphQLWebSocket watching = connections.get(0);
        watching.subscribe("claim", CHANGES);
        assertThat(subscribedType(watching, "claim")).isEqualTo("SUBSCRIBED");
        Appliances.claimed(owner.token(), "MINI_OVEN");
        assertThat(subscribedType(watching, "claim")).isEqualTo("APPLIANCE_CLAIMED");
        watching.send(new JsonObject().put("id", "claim").put("type", "complete"));
        // Then it ends, and the instance keeps nothing of the owner.
        await().atMost(BOUND).until(() -> metrics.get(ServiceMetrics.REALTIME_SUBSCRIPTIONS_ACTIVE).gauge().value() == 0);
        // Another user takes this second's admission: the ten subscribes below then arrive while it is used up, and
        // wait together, as a storm's do.
        GraphQLWebSocket other = connect(User.signedIn("first"), 1).get(0);
        other.subscribe("s", CHANGES);
        assertThat(subscribedType(other, "s")).isEqualTo("SUBSCRIBED");
        // As an instance that has just started (after a deploy) knows nobody: the owner's requests above signed them
        // in a moment ago, and that sign-in would answer the burst.
        users.forgetRecentSignIns();
        double loads = count(ServiceMetrics.REALTIME_ACCESS_LOADS);
        double signIns = count(ServiceMetrics.IDENTITY_SIGN_INS);

        connections.forEach(ws -> ws.subscribe("s", CHANGES));

        for (GraphQLWebSocket ws : connections) {
            assertThat(subscribedType(ws, "s")).isEqualTo("SUBSCRIBED");
        }
        assertThat(count(ServiceMetrics.REALTIME_ACCESS_LOADS) - loads).as("access reads for ten subscriptions")
                .isEqualTo(1);
        assertThat(count(ServiceMetrics.IDENTITY_SIGN_INS) - signIns).as("sign-ins for ten subscriptions")
                .isEqualTo(1);

        // Ten more a moment later (a second admission turn at least): that sign-in answers them, none runs.
        double before = count(ServiceMetrics.IDENTITY_SIGN_INS);
        connections.forEach(ws -> ws.subscribe("again", CHANGES));
        for (GraphQLWebSocket ws : connections) {
            assertThat(subscribedType(ws, "again")).isEqualTo("SUBSCRIBED");
        }
        assertThat(count(ServiceMetrics.IDENTITY_SIGN_INS) - before).as("sign-ins for ten more, within the window")
                .isZero();
    }

    @Test
    void subscriptionsOverTheRateAreAcceptedAndStartWhenAdmitted() throws Exception {
        List<GraphQLWebSocket> connections = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            connections.addAll(connect(User.signedIn("storm" + i), 1));
        }

        connections.forEach(ws -> ws.subscribe("s", CHANGES));

        // One a second: once the first has started, the last is still waiting, with nothing sent to it yet.
        await().atMost(BOUND).until(() -> connections.stream().anyMatch(ws -> ws.received("s") > 0));
        assertThat(admission.waiting()).as("subscriptions waiting for admission").isPositive();
        assertThat(connections.stream().filter(ws -> ws.received("s") == 0)).as("not started yet").isNotEmpty();
        // Each then starts as any subscription does, nothing refused, nothing to retry.
        for (GraphQLWebSocket ws : connections) {
            assertThat(subscribedType(ws, "s")).isEqualTo("SUBSCRIBED");
        }
        assertThat(admission.waiting()).isZero();
    }

    @Test
    void queriesKeepAnsweringWhileSubscriptionsWait() throws Exception {
        User asking = User.signedIn("asking");
        List<GraphQLWebSocket> connections = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            connections.addAll(connect(User.signedIn("crowd" + i), 5));
        }
        connections.forEach(ws -> {
            for (int s = 0; s < 5; s++) {
                ws.subscribe("s" + s, CHANGES);
            }
        });
        await().atMost(BOUND).until(() -> admission.waiting() > 0);

        for (int i = 0; i < 5; i++) {
            GraphQL.post(asking.token(), "{ me { id } }").then().statusCode(200).body("errors", nullValue())
                    .body("data.me.id", equalTo(asking.id()));
            // Answered while subscriptions still wait: the queue holds them, not the database pool.
            assertThat(admission.waiting()).as("subscriptions still waiting after query %d", i).isPositive();
        }

        // And they all start in the end.
        for (GraphQLWebSocket ws : connections) {
            for (int s = 0; s < 5; s++) {
                JsonObject first = next(ws, "s" + s);
                assertThat(first.getJsonObject("payload").getJsonObject("data").getJsonObject("changes")
                        .getString("type")).isEqualTo("SUBSCRIBED");
            }
        }
    }

    @Test
    void subscriptionsOverTheWaitingBoundAreRefusedRateLimitedAndTheRestStart() throws Exception {
        User many = User.signedIn("many");
        List<GraphQLWebSocket> connections = new ArrayList<>(connect(many, 10));
        connections.addAll(connect(User.signedIn("one"), 1));
        int subscribes = connections.size() * PER_CONNECTION;
        Set<String> refused = new HashSet<>();
        // The one admission at a time held here: every subscribe below waits, none is admitted meanwhile.
        SubscriptionAdmission.Admission held = admission.admit().await().atMost(BOUND);
        try {
            for (GraphQLWebSocket ws : connections) {
                for (int s = 0; s < PER_CONNECTION; s++) {
                    ws.subscribe("s" + s, CHANGES);
                }
            }
            int over = subscribes - MAX_WAITING;
            await().atMost(BOUND).until(() -> answered(connections) == over);
            assertThat(admission.waiting()).as("subscriptions waiting").isEqualTo(MAX_WAITING);
            for (int c = 0; c < connections.size(); c++) {
                GraphQLWebSocket ws = connections.get(c);
                for (int s = 0; s < PER_CONNECTION; s++) {
                    if (ws.received("s" + s) > 0) {
                        refused.add(c + "/" + s);
                        JsonObject refusal = next(ws, "s" + s);
                        JsonObject error = refusal.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
                        assertThat(error.getJsonObject("extensions").getString("code")).as("%s", refusal)
                                .isEqualTo("RATE_LIMITED");
                        assertThat(error.getJsonObject("extensions").getInteger("retryAfterSeconds")).isPositive();
                        assertThat(next(ws, "s" + s).getString("type")).isEqualTo("complete");
                    }
                }
            }
        } finally {
            held.release();
        }
        // The ones that waited start once admitted, each with SUBSCRIBED, on connections that stayed open.
        for (int c = 0; c < connections.size(); c++) {
            GraphQLWebSocket ws = connections.get(c);
            for (int s = 0; s < PER_CONNECTION; s++) {
                if (!refused.contains(c + "/" + s)) {
                    JsonObject first = next(ws, "s" + s);
                    assertThat(first.getJsonObject("payload").getJsonObject("data").getJsonObject("changes")
                            .getString("type")).as("%s", first).isEqualTo("SUBSCRIBED");
                }
            }
            assertThat(ws.closed()).as("connection still open").isNotDone();
        }
        assertThat(refused).hasSize(subscribes - MAX_WAITING);
    }

    /** How many of the connections' operations have a message waiting to be read. */
    private static int answered(List<GraphQLWebSocket> connections) {
        int answered = 0;
        for (GraphQLWebSocket ws : connections) {
            for (int s = 0; s < PER_CONNECTION; s++) {
                answered += ws.received("s" + s) > 0 ? 1 : 0;
            }
        }
        return answered;
    }

    private List<GraphQLWebSocket> connect(User user, int connections) throws Exception {
        List<GraphQLWebSocket> opened = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, user.token(), clients);
            open.add(ws);
            opened.add(ws);
        }
        return opened;
    }

    /** The type of the next item of the {@code changes} subscription {@code id}, which must be data. */
    private static String subscribedType(GraphQLWebSocket ws, String id) throws Exception {
        JsonObject first = next(ws, id);
        assertThat(first.getString("type")).as("%s", first).isEqualTo("next");
        assertThat(first.getJsonObject("payload").getValue("errors")).as("%s", first).isNull();
        return first.getJsonObject("payload").getJsonObject("data").getJsonObject("changes").getString("type");
    }

    private static JsonObject next(GraphQLWebSocket ws, String id) throws InterruptedException {
        return ws.pollMessage(id, BOUND).orElseThrow(() -> new AssertionError("nothing for " + id + " within " + BOUND));
    }

    private double count(String counter) {
        return metrics.get(counter).counter().count();
    }
}
