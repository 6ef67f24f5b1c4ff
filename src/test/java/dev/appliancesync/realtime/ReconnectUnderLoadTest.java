package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import java.util.UUID;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.TestSize;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Never lose, tried the way a flaky mobile network tries it: a client reconnects 500 times (200 in a CI run, see
 * {@link TestSize}) while the appliance it shares changes more than 100 times a second (measured and logged), and what
 * it has at the end, merged by cursor, is exactly the log as
 * `changes(since:)` reads it afterwards: nothing missing, nothing twice. Once following the reconnect recipe docs/real-time.md
 * gives (subscribe, take the SUBSCRIBED cursor, page, merge), half of it with a second connection of the same user open
 * (a user's first subscription on an instance and a later one start differently), and once resuming with
 * {@code changes(after:)}.
 * <p>
 * 500 reconnects of one user as fast as the machine allows, each with a catch-up page (about 230 of API cost): on a
 * fast machine some 50 a second, a storm the API rate limit (2,000 a second) is there to stop. This test is about
 * losing nothing through reconnects, not about that limit (RequestLimitsTest is): the test configuration lifts it
 * ({@code %test.appliance-sync.graphql.rate-limit.*} in application.properties).
 */
@QuarkusTest
class ReconnectUnderLoadTest {

    private static final Logger LOG = Logger.getLogger(ReconnectUnderLoadTest.class);
    private static final int RECONNECTS = TestSize.ciOrFull(200, 500);
    /** Changes a second the writers aim for (the bar is 100; the rate reached is logged), and how many write. */
    private static final int WRITES_PER_SECOND = 150;
    private static final int WRITERS = 4;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PAGE = """
            query($since: String) { changes(since: $since, limit: 100) { changes { cursor type } cursor hasMore } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Transactions db;

    @Inject
    ChangeLog log;

    private User owner;
    private User bob;
    private String appliance;
    private Vertx clients;
    private ScheduledExecutorService writers;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicReference<Throwable> writeFailure = new AtomicReference<>();

    @BeforeEach
    void shareAnApplianceThatKeepsChanging() {
        owner = User.signedIn("owner");
        bob = User.signedIn("bob");
        appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        Appliances.share(owner.token(), appliance, bob.email(), "FAMILY");
        clients = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (writers != null) {
            writers.shutdown(); // periodic tasks end; one in flight finishes
            writers.awaitTermination(10, TimeUnit.SECONDS);
        }
        clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theReadmeRecipeLosesNothingAndRepeatsNothingThroughHundredsOfReconnects() throws Exception {
        String start = cursorOfNow();
        Map<String, String> merged = new LinkedHashMap<>();
        String last = start;
        long began = startWriting();
        GraphQLWebSocket other = null;
        try {
            for (int i = 0; i < RECONNECTS; i++) {
                if (i == RECONNECTS / 2) {
                    // The second half with another connection of bob's open: his access view is then already here.
                    other = GraphQLWebSocket.connected(graphql, bob.token(), clients);
                    other.subscribe("other", "subscription { changes { cursor type } }");
                    assertThat(started(other, "other")).isNotNull();
                }
                last = recipe(last, merged);
            }
        } finally {
            if (other != null) {
                other.close();
            }
        }
        report("recipe", began);
        assertEveryChangeExactlyOnce(start, last, merged.keySet());
    }

    @Test
    void aSubscriptionResumedFromItsCursorLosesNothingAndRepeatsNothingThroughHundredsOfReconnects() throws Exception {
        String start = cursorOfNow();
        List<String> received = new ArrayList<>();
        String last = start;
        long began = startWriting();
        for (int i = 0; i < RECONNECTS; i++) {
            try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token(), clients)) {
                ws.subscribe("c", "subscription($after: String) { changes(after: $after) { cursor type } }",
                        Map.of("after", last));
                // At least one change per connection, so each reconnect lands in the middle of the stream.
                JsonObject change = nextChange(ws, "c");
                do {
                    String cursor = change.getString("cursor");
                    assertThat(Cursors.parse(cursor)).as("every change after the cursor, in order, once")
                            .isGreaterThan(Cursors.parse(last));
                    received.add(cursor);
                    last = cursor;
                } while ((change = pollChange(ws, "c")) != null);
            }
        }
        report("resume", began);
        assertThat(received).doesNotHaveDuplicates();
        assertEveryChangeExactlyOnce(start, last, received);
    }

    /** One reconnect as docs/real-time.md says: subscribe, note where the stream starts, page up to it, merge. */
    private String recipe(String last, Map<String, String> merged) throws Exception {
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, bob.token(), clients)) {
            ws.subscribe("c", "subscription { changes { cursor type } }");
            Position streamStart = Cursors.parse(started(ws, "c"));
            String cursor = pageAll(last, change -> merged.putIfAbsent(change.get("cursor"), change.get("type")));
            // Live changes, in order and each once, from just after the start; read until one is past what the pages
            // gave (then the two overlap), and take whatever else has arrived by then.
            Position paged = Position.later(Cursors.parse(cursor), streamStart);
            Position newest = streamStart;
            JsonObject change = nextChange(ws, "c");
            while (change != null) {
                Position at = Cursors.parse(change.getString("cursor"));
                assertThat(at).as("live changes come after the SUBSCRIBED cursor, in order, each once")
                        .isGreaterThan(newest);
                merged.putIfAbsent(change.getString("cursor"), change.getString("type"));
                newest = at;
                change = at.isAfter(paged) ? pollChange(ws, "c") : nextChange(ws, "c");
            }
            return Cursors.of(newest);
        }
    }

    /** The SUBSCRIBED item's cursor: where the stream starts. */
    private static String started(GraphQLWebSocket ws, String id) throws InterruptedException {
        JsonObject first = ws.nextData(id).getJsonObject("changes");
        assertThat(first.getString("type")).as("the first item of a changes subscription").isEqualTo("SUBSCRIBED");
        return first.getString("cursor");
    }

    private static JsonObject nextChange(GraphQLWebSocket ws, String id) throws InterruptedException {
        return ws.nextData(id).getJsonObject("changes");
    }

    /** A change that has already arrived, if any (no waiting beyond what is on the wire). */
    private static JsonObject pollChange(GraphQLWebSocket ws, String id) throws InterruptedException {
        Optional<JsonObject> message = ws.pollMessage(id, Duration.ZERO);
        if (message.isEmpty()) {
            return null;
        }
        JsonObject payload = message.get().getJsonObject("payload");
        assertThat(message.get().getString("type")).isEqualTo("next");
        assertThat(payload.getValue("errors")).isNull();
        return payload.getJsonObject("data").getJsonObject("changes");
    }

    /** What the client holds is exactly what the log has for bob in (start, last]. */
    private void assertEveryChangeExactlyOnce(String start, String last, java.util.Collection<String> held)
            throws Exception {
        writers.shutdown(); // periodic tasks end; one in flight finishes
        assertThat(writers.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(writeFailure.get()).as("every rename went through").isNull();
        List<String> expected = new ArrayList<>();
        pageAll(start, change -> {
            if (!Cursors.parse(last).isBefore(Cursors.parse(change.get("cursor")))) {
                expected.add(change.get("cursor"));
            }
        });
        assertThat(expected).as("renames the client lived through").hasSizeGreaterThan(RECONNECTS);
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(held);
        List<String> extra = new ArrayList<>(held);
        extra.removeAll(expected);
        assertThat(missing).as("changes the client never got").isEmpty();
        assertThat(extra).as("changes the client got that the log does not have").isEmpty();
    }

    /** Pages bob's changes(since:) from {@code since} until hasMore is false; returns the last page's cursor. */
    private String pageAll(String since, Consumer<Map<String, String>> each) {
        String cursor = since;
        boolean more = true;
        while (more) {
            JsonPath page = GraphQL.post(bob.token(), PAGE, Map.of("since", cursor)).then().statusCode(200)
                    .body("errors", nullValue()).extract().jsonPath();
            page.<Map<String, String>> getList("data.changes.changes").forEach(each);
            cursor = page.getString("data.changes.cursor");
            more = page.getBoolean("data.changes.hasMore");
        }
        return cursor;
    }

    private String cursorOfNow() {
        return GraphQL.post(bob.token(), "{ changes(limit: 0) { cursor } }").then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.changes.cursor");
    }

    /**
     * Threads changing the shared appliance at WRITES_PER_SECOND in all; returns when they began. Written as the
     * service's own producers write (ChangeLog.append in a transaction, which wakes the feed on commit): a rename through
     * the API costs more than this 2-core machine gives at that rate while the clients reconnect, and it is the log
     * and its delivery that are under test. An appliance's entry goes through the same access decisions as a rename.
     */
    private long startWriting() {
        UUID applianceId = UUID.fromString(appliance);
        writers = Executors.newScheduledThreadPool(WRITERS);
        long period = TimeUnit.SECONDS.toMicros(1) * WRITERS / WRITES_PER_SECOND;
        for (int w = 0; w < WRITERS; w++) {
            writers.scheduleAtFixedRate(() -> {
                try {
                    JsonObject payload = new JsonObject().put("applianceId", appliance)
                            .put("name", "oven " + written.incrementAndGet());
                    db.inTransaction(tx -> log.append(tx, Change.forAppliance(applianceId, ChangeType.APPLIANCE_RENAMED,
                            payload))).await().atMost(WAIT);
                } catch (Throwable failure) {
                    writeFailure.compareAndSet(null, failure);
                }
            }, w * period / WRITERS, period, TimeUnit.MICROSECONDS);
        }
        return System.nanoTime();
    }

    private void report(String how, long began) {
        double seconds = (System.nanoTime() - began) / 1e9;
        LOG.infof("%s: %d reconnects in %.1f s while %d renames were made (%.0f a second)", how, RECONNECTS, seconds,
                written.get(), written.get() / seconds);
    }
}
