package dev.appliancesync.support;

import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * One user's {@code shareChanges} subscription on a connection of its own, read by type (and share): the waits are
 * {@link GraphQLWebSocket}'s, so an event that does not come fails the test instead of hanging it.
 */
public final class ShareChanges implements AutoCloseable {

    private static final String ID = "shares";
    private static final String READY = "ready";
    private static final Duration MARKER_WAIT = Duration.ofSeconds(2);
    private static final String SUBSCRIPTION = "subscription { shareChanges { type shareId cloudSync reason } }";
    /** However many other events come first, the one awaited must come within this. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final GraphQLWebSocket ws;

    private ShareChanges(GraphQLWebSocket ws) {
        this.ws = ws;
    }

    /**
     * Returns once the subscription is in place: a stream starts at the moment the server sets it up, so a share made
     * before that would never arrive. A second subscription, sent after this one, is in place once it delivers a change
     * made after it; creating an empty household is such a change and grants nothing (the cloud access stays as is).
     * Setting up can take longer than the marker's mutation on a loaded machine, so a marker that does not arrive is
     * followed by another.
     */
    public static ShareChanges subscribe(URI graphql, String token) throws Exception {
        GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, token);
        ws.subscribe(ID, SUBSCRIPTION);
        ws.subscribe(READY, "subscription { changes { type data } }");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            String marker = GraphQL.post(token, "mutation($n: String!) { createHousehold(name: $n) { id } }",
                            Map.of("n", "ready " + UUID.randomUUID().toString().substring(0, 8)))
                    .then().statusCode(200).body("errors", nullValue()).extract().path("data.createHousehold.id");
            if (markerArrives(ws, marker)) {
                return new ShareChanges(ws);
            }
        }
        ws.close();
        throw new AssertionError("The shareChanges subscription was not in place within " + DEADLINE);
    }

    private static boolean markerArrives(GraphQLWebSocket ws, String marker) throws InterruptedException {
        Optional<JsonObject> message;
        while ((message = ws.pollMessage(READY, MARKER_WAIT)).isPresent()) {
            if (message.get().encode().contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** The next event of {@code type}; events of other types before it are skipped. */
    public JsonObject next(String type) throws InterruptedException {
        return next(type, null);
    }

    /** The next event of {@code type} about {@code shareId} (any share when null); others before it are skipped. */
    public JsonObject next(String type, String shareId) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject change = ws.nextData(ID).getJsonObject("shareChanges");
            if (type.equals(change.getString("type")) && (shareId == null || shareId.equals(change.getString("shareId")))) {
                return change;
            }
        }
        throw new AssertionError("No " + type + " for share " + shareId + " within " + DEADLINE);
    }

    @Override
    public void close() {
        ws.close();
    }
}
