package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.realtime.websocket.CloseCodes;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.User;
import dev.appliancesync.support.DeviceReports;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

/** Bounded everything: operations per connection, connections per user, bytes waiting for a slow client. */
@QuarkusTest
class SubscriptionLimitsTest {

    private static final String HEARTBEAT = "subscription { heartbeat(everySeconds: 300) { sequence } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    RealtimeConfig config;

    @Inject
    DeviceStateService states;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    @Test
    void aConnectionHoldsABoundedNumberOfOperations() throws Exception {
        User user = User.signedIn("busy");
        int max = config.maxSubscriptionsPerConnection();
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, user.token())) {
            for (int i = 0; i < max; i++) {
                ws.subscribe("op" + i, HEARTBEAT);
                assertThat(ws.nextData("op" + i).getJsonObject("heartbeat").getInteger("sequence")).isOne();
            }
            ws.subscribe("one-too-many", HEARTBEAT);
            JsonObject refused = ws.nextMessage("one-too-many");
            assertThat(refused.getString("type")).isEqualTo("error");
            assertThat(refused.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions").getString("code"))
                    .isEqualTo("QUOTA_EXCEEDED");

            // Completing one makes room for another; the connection itself was never at risk.
            ws.send(new JsonObject().put("id", "op0").put("type", "complete"));
            ws.subscribe("after-complete", HEARTBEAT);
            assertThat(ws.nextData("after-complete").getJsonObject("heartbeat").getInteger("sequence")).isOne();
        }
    }

    @Test
    void aUserHoldsABoundedNumberOfConnections() throws Exception {
        User user = User.signedIn("tabs");
        List<GraphQLWebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < config.maxConnectionsPerUser(); i++) {
                open.add(GraphQLWebSocket.connected(graphql, user.token()));
            }
            GraphQLWebSocket extra = GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS, user.token());
            open.add(extra);
            extra.send(new JsonObject().put("type", "connection_init"));
            assertThat(extra.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(CloseCodes.TOO_MANY_CONNECTIONS);

            // Another user is not affected, and a closed connection frees its place.
            try (GraphQLWebSocket other = GraphQLWebSocket.connected(graphql, User.signedIn("other").token())) {
                other.subscribe("1", HEARTBEAT);
                assertThat(other.nextData("1").getJsonObject("heartbeat").getInteger("sequence")).isOne();
            }
            GraphQLWebSocket first = open.remove(0);
            first.close();
            first.awaitClose(GraphQLWebSocket.WAIT);
            awaitConnectionAccepted(user);
        } finally {
            open.forEach(GraphQLWebSocket::close);
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffWhileOthersKeepReceiving() throws Exception {
        User owner = User.signedIn("owner");
        User slow = User.signedIn("slow");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        Appliances.share(owner.token(), appliance, slow.email(), "FAMILY");
        String query = "subscription($a: ID) { applianceState(applianceId: $a) { version reported } }";
        try (GraphQLWebSocket slowWs = GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS, slow.token(),
                new WebSocketClientOptions().setReceiveBufferSize(1024));
                GraphQLWebSocket ownerWs = GraphQLWebSocket.connected(graphql, owner.token())) {
            slowWs.init(null);
            slowWs.subscribe("state", query, java.util.Map.of("a", appliance));
            ownerWs.subscribe("state", query, java.util.Map.of("a", appliance));
            report(appliance, 1);
            assertThat(slowWs.nextData("state").getJsonObject("applianceState").getInteger("version")).isOne();
            assertThat(ownerWs.nextData("state").getJsonObject("applianceState").getInteger("version")).isOne();

            slowWs.stopReading();
            double cutOffBefore = slowConsumersClosed();
            int version = 1;
            // Enough to fill the client's buffer, both kernels' and the server's write queue, and no more.
            while (slowConsumersClosed() == cutOffBefore && version < 2_000) {
                report(appliance, ++version);
            }
            assertThat(slowConsumersClosed()).as("cut off after %d states", version).isGreaterThan(cutOffBefore);
            // Once it reads again it finds what was queued, then the close frame: far fewer states than were sent.
            slowWs.resumeReading();
            assertThat(slowWs.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(CloseCodes.SLOW_CONSUMER);
            assertThat(slowWs.received("state")).isLessThan(version);
            int last = version;
            JsonObject seen;
            do {
                seen = ownerWs.nextData("state").getJsonObject("applianceState");
            } while (seen.getInteger("version") < last);
            assertThat(seen.getInteger("version")).isEqualTo(last);
        }
    }

    private double slowConsumersClosed() {
        var counter = metrics.find("appliance_sync.realtime.slow_consumers_closed").counter();
        return counter == null ? 0 : counter.count();
    }

    private void awaitConnectionAccepted(User user) throws Exception {
        // The server learns of the close a moment after the client does: retry for a bounded time.
        long deadline = System.nanoTime() + GraphQLWebSocket.WAIT.toNanos();
        while (true) {
            try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, user.token())) {
                ws.subscribe("1", HEARTBEAT);
                JsonObject answer = ws.nextMessage("1");
                if ("next".equals(answer.getString("type"))) {
                    return;
                }
            } catch (AssertionError closedTooSoon) {
                if (System.nanoTime() > deadline) {
                    throw closedTooSoon;
                }
            }
        }
    }

    private void report(String applianceId, int version) {
        // ~16 KB of state: a busy appliance with a verbose shadow.
        JsonObject reported = new JsonObject().put("status", "v" + version).put("log", "x".repeat(16_000));
        DeviceReports.report(states, applianceId, version, reported, new JsonObject());
    }
}
