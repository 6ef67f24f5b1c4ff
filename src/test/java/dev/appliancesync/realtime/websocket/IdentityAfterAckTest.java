package dev.appliancesync.realtime.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * At connection_ack the connection's identity is re-issued without the upgrade request and the token
 * ({@link SmallRyeGraphQLAdapter}, {@code identity.DetachedIdentity}), and every later use reads the re-issued one:
 * the multiplexed subscriptions (from the connection) and SmallRye's (a resolver, through {@code CurrentUser}, from
 * the operation's request context), wherever the token came (upgrade header or connection_init payload). Token expiry
 * after the re-issue: SubscriptionAuthenticationTest.theConnectionClosesWith1008WhenTheTokenExpires.
 */
@QuarkusTest
class IdentityAfterAckTest {

    /** Served on the multiplexed path. */
    private static final String CHANGES = "subscription { changes { type applianceId } }";
    /** Served by SmallRye: its resolver reads the caller through CurrentUser. */
    private static final String HEARTBEAT = "subscription { heartbeat(everySeconds: 1) { sequence username } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aTokenInTheUpgradeServesBothPathsAsItsUserAfterTheAck(Protocol protocol) throws Exception {
        User user = User.signedIn("reissued-header");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, user.token())) {
            assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");
            assertServedAs(ws, user);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aTokenInConnectionInitServesBothPathsAsItsUserAfterTheAck(Protocol protocol) throws Exception {
        User user = User.signedIn("reissued-init");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, null)) {
            assertThat(ws.init(Map.of("Authorization", "Bearer " + user.token())).getString("type"))
                    .isEqualTo("connection_ack");
            assertServedAs(ws, user);
        }
    }

    private static void assertServedAs(GraphQLWebSocket ws, User user) throws Exception {
        ws.subscribe("beat", HEARTBEAT);
        assertThat(ws.nextData("beat").getJsonObject("heartbeat").getString("username"))
                .isEqualTo(user.username());

        ws.subscribe("changes", CHANGES);
        String claimed = Appliances.claimed(user.token(), "GENERIC").id();
        JsonObject change;
        do { // each wait bounded (GraphQLWebSocket.WAIT); the claim's own change comes among the user's
            change = ws.nextData("changes").getJsonObject("changes");
        } while (!claimed.equals(change.getString("applianceId")));
        assertThat(change.getString("type")).isEqualTo("APPLIANCE_CLAIMED");
    }
}
