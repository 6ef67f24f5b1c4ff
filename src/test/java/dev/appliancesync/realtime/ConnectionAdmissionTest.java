package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.realtime.websocket.CloseCodes;
import dev.appliancesync.realtime.websocket.SubscriptionConnections;
import dev.appliancesync.support.AppSyncSocket;
import dev.appliancesync.support.AppSyncSocket.Handshake;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.SmallLimits;
import dev.appliancesync.support.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * A socket costs its holder a token: one not signed in within the init timeout is closed (pings or not), the
 * instance holds a bounded number of sockets not signed in yet, and a user's connections count from connection_init.
 */
@QuarkusTest
@TestProfile(SmallLimits.class)
class ConnectionAdmissionTest {

    /** SmallLimits' connection-init-timeout. */
    private static final Duration INIT_TIMEOUT = Duration.ofSeconds(2);

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    RealtimeConfig config;

    @Inject
    SubscriptionConnections connections;

    @Inject
    MeterRegistry metrics;

    private final List<GraphQLWebSocket> sockets = new ArrayList<>();

    @BeforeEach
    @AfterEach
    void noSocketWaitsForInit() {
        sockets.forEach(GraphQLWebSocket::close);
        sockets.clear();
        // The server learns of a client's close a moment after the client does.
        await().atMost(GraphQLWebSocket.WAIT).until(() -> connections.unauthenticated() == 0);
    }

    @Test
    void aSocketThatNeverInitialisesIsClosedWith4408EvenWhilePinging() throws Exception {
        long opened = System.nanoTime();
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_TRANSPORT_WS);
        int pongs = 0;
        // Pings before connection_init are allowed and answered (graphql-transport-ws), but do not buy time.
        while (ws.ping()) {
            pongs++;
            assertThat(Duration.ofNanos(System.nanoTime() - opened))
                    .as("still open while pinging").isLessThan(INIT_TIMEOUT.plus(GraphQLWebSocket.WAIT));
        }
        assertThat(ws.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(CloseCodes.INIT_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(INIT_TIMEOUT);
        assertThat(pongs).isPositive();
        assertThat(limited("connection-init-timeout")).isPositive();
    }

    @Test
    void anAnonymousConnectionIsAcknowledgedButClosedAtTheInitDeadline() throws Exception {
        GraphQLWebSocket ws = open(Protocol.GRAPHQL_WS);
        assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
        assertThat(ws.awaitClose(INIT_TIMEOUT.plus(GraphQLWebSocket.WAIT))).isEqualTo(CloseCodes.INIT_TIMEOUT);
    }

    @Test
    void theEleventhSocketOfAUserIsRefusedAtConnectionInitWhileTheTenStayOpen() throws Exception {
        Map<String, Object> signIn = Map.of("Authorization", "Bearer " + Tokens.forUser(Tokens.uniqueUsername("tabs")));
        List<GraphQLWebSocket> held = new ArrayList<>();
        for (int i = 0; i < config.maxConnectionsPerUser(); i++) {
            GraphQLWebSocket ws = open(Protocol.GRAPHQL_TRANSPORT_WS);
            assertThat(ws.init(signIn).getString("type")).isEqualTo("connection_ack");
            held.add(ws);
        }
        GraphQLWebSocket extra = open(Protocol.GRAPHQL_TRANSPORT_WS);
        extra.send(new JsonObject().put("type", "connection_init").put("payload", new JsonObject(signIn)));
        assertThat(extra.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(CloseCodes.TOO_MANY_CONNECTIONS);
        assertThat(limited("connections-per-user")).isPositive();

        // Signed in, they outlive the init deadline and still answer.
        await().during(INIT_TIMEOUT.plusSeconds(1)).atMost(INIT_TIMEOUT.plusSeconds(5))
                .until(() -> held.stream().noneMatch(ws -> ws.closed().isDone()));
        for (GraphQLWebSocket ws : held) {
            assertThat(ws.ping()).isTrue();
        }
    }

    @Test
    void anAppSyncSocketThatNeverInitialisesIsClosedWith4408Too() throws Exception {
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, null)) {
            assertThat(ws.awaitClose(INIT_TIMEOUT.plus(GraphQLWebSocket.WAIT))).isEqualTo(CloseCodes.INIT_TIMEOUT);
        }
    }

    @Test
    void appSyncConnectionsCountAgainstTheSameLimitPerUser() throws Exception {
        String token = Tokens.forUser(Tokens.uniqueUsername("amplify-tabs"));
        for (int i = 0; i < config.maxConnectionsPerUser() - 1; i++) {
            GraphQLWebSocket ws = open(Protocol.GRAPHQL_TRANSPORT_WS);
            assertThat(ws.init(Map.of("Authorization", "Bearer " + token)).getString("type"))
                    .isEqualTo("connection_ack");
        }
        try (AppSyncSocket last = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, token);
                AppSyncSocket extra = AppSyncSocket.open(graphql, Handshake.QUERY_STRING, token)) {
            assertThat(last.init().getString("type")).isEqualTo("connection_ack");
            extra.send(new JsonObject().put("type", "connection_init"));
            assertThat(extra.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(CloseCodes.TOO_MANY_CONNECTIONS);
        }
    }

    @Test
    void overTheUnauthenticatedCapTheNextSocketIsClosedAtOnceWith1013() throws Exception {
        int cap = config.maxUnauthenticatedConnections();
        List<GraphQLWebSocket> waiting = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            waiting.add(open(Protocol.GRAPHQL_TRANSPORT_WS));
        }
        await().atMost(GraphQLWebSocket.WAIT).until(() -> connections.unauthenticated() == cap);
        double before = limited("unauthenticated-connections");

        GraphQLWebSocket refused = open(Protocol.GRAPHQL_TRANSPORT_WS);
        assertThat(refused.awaitClose(INIT_TIMEOUT.dividedBy(2))).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
        assertThat(limited("unauthenticated-connections")).isEqualTo(before + 1);
        assertThat(waiting).noneMatch(ws -> ws.closed().isDone());

        // A signed-in connection frees its place at connection_init: the next socket gets in.
        String token = Tokens.forUser(Tokens.uniqueUsername("patient"));
        assertThat(waiting.get(0).init(Map.of("Authorization", "Bearer " + token)).getString("type"))
                .isEqualTo("connection_ack");
        await().atMost(GraphQLWebSocket.WAIT).until(() -> connections.unauthenticated() == cap - 1);
        GraphQLWebSocket admitted = open(Protocol.GRAPHQL_TRANSPORT_WS);
        assertThat(admitted.ping()).isTrue();
    }

    private GraphQLWebSocket open(Protocol protocol) throws Exception {
        GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, null);
        sockets.add(ws);
        return ws;
    }

    private double limited(String limit) {
        var counter = metrics.find("appliance_sync.realtime.connections.limited").tag("limit", limit).counter();
        return counter == null ? 0 : counter.count();
    }
}
