package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;

/** Both WebSocket subprotocols, both places a token can travel, and every way it can be wrong. */
@QuarkusTest
class SubscriptionAuthenticationTest {

    private static final String HEARTBEAT = "subscription { heartbeat(everySeconds: 1) { sequence username } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DevTokenIssuer issuer;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void tokenInConnectionInitAuthenticatesTheConnection(Protocol protocol) throws Exception {
        String username = Tokens.uniqueUsername("browser");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, null)) {
            assertThat(ws.init(Map.of("Authorization", "Bearer " + Tokens.forUser(username))).getString("type"))
                    .isEqualTo("connection_ack");
            ws.subscribe("1", HEARTBEAT);
            assertHeartbeats(ws, username);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void tokenInTheUpgradeHeaderAuthenticatesTheConnection(Protocol protocol) throws Exception {
        String username = Tokens.uniqueUsername("mobile");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, Tokens.forUser(username))) {
            assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
            ws.subscribe("1", HEARTBEAT);
            assertHeartbeats(ws, username);
        }
    }

    private static void assertHeartbeats(GraphQLWebSocket ws, String username) throws InterruptedException {
        for (int sequence = 1; sequence <= 2; sequence++) {
            JsonObject message = ws.nextMessage();
            assertThat(message.getString("type")).isIn("next", "data");
            assertThat(message.getString("id")).isEqualTo("1");
            JsonObject heartbeat = message.getJsonObject("payload").getJsonObject("data").getJsonObject("heartbeat");
            assertThat(heartbeat.getInteger("sequence")).isEqualTo(sequence);
            assertThat(heartbeat.getString("username")).isEqualTo(username);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aBadTokenInConnectionInitClosesWith4403(Protocol protocol) throws Exception {
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, null)) {
            ws.send(new JsonObject().put("type", "connection_init")
                    .put("payload", new JsonObject().put("Authorization", "Bearer not-a-token")));
            assertThat(ws.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(4403);
        }
    }

    @Test
    void aTokenInBothPlacesClosesWith4400() throws Exception {
        String token = Tokens.forUser(Tokens.uniqueUsername("twice"));
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS, token)) {
            ws.send(new JsonObject().put("type", "connection_init")
                    .put("payload", new JsonObject().put("Authorization", "Bearer " + token)));
            assertThat(ws.awaitClose(GraphQLWebSocket.WAIT)).isEqualTo(4400);
        }
    }

    @Test
    void aBadTokenInTheUpgradeHeaderIsRefusedWith401() {
        assertThatThrownBy(() -> GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS, "not-a-token"))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UpgradeRejectedException.class)
                .extracting(e -> ((UpgradeRejectedException) e).getStatus()).isEqualTo(401);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void withoutATokenASubscriptionFailsUnauthenticated(Protocol protocol) throws Exception {
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, null)) {
            assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
            ws.subscribe("1", HEARTBEAT);
            JsonObject message = ws.nextMessage();
            assertThat(message.encode()).contains("\"code\":\"UNAUTHENTICATED\"");
            assertThat(message.encode()).doesNotContain("\"heartbeat\":{");
        }
    }

    @Test
    void anIntervalOutOfRangeIsAValidationError() throws Exception {
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS,
                Tokens.forUser(Tokens.uniqueUsername("impatient")))) {
            ws.init(null);
            ws.subscribe("1", "subscription { heartbeat(everySeconds: 0) { sequence } }");
            JsonObject message = ws.nextMessage();
            assertThat(message.getString("type")).isEqualTo("error");
            assertThat(message.encode()).contains("\"code\":\"VALIDATION\"");
        }
    }

    @Test
    void theConnectionClosesWith1008WhenTheTokenExpires() throws Exception {
        String token = expiringIn3Seconds("expiring");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS, null)) {
            assertThat(ws.init(Map.of("Authorization", "Bearer " + token)).getString("type"))
                    .isEqualTo("connection_ack");
            assertServedThenClosedWith1008(ws);
        }
    }

    private String expiringIn3Seconds(String prefix) {
        return issuer.sign(issuer.cognitoAccessToken(Tokens.uniqueUsername(prefix), Instant.now(),
                Instant.now().plusSeconds(3)));
    }

    /** A subscription is served until the token expires, then the connection closes with 1008. */
    private static void assertServedThenClosedWith1008(GraphQLWebSocket ws) throws Exception {
        ws.subscribe("1", HEARTBEAT);
        assertThat(ws.nextMessage().getString("type")).isEqualTo("next");
        assertThat(ws.awaitClose(Duration.ofSeconds(15))).isEqualTo(1008);
    }

    /**
     * The same for a token in the upgrade request: its expiry's timer is set from the request, which the connection
     * no longer holds once acknowledged (UpgradeRequestHandle).
     */
    @Test
    void theConnectionClosesWith1008WhenTheTokenOfTheUpgradeExpires() throws Exception {
        String token = expiringIn3Seconds("expiring-upgrade");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, Protocol.GRAPHQL_TRANSPORT_WS, token)) {
            assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
            assertServedThenClosedWith1008(ws);
        }
    }
}
