package dev.appliancesync.realtime.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Pins what {@link SmallRyeGraphQLAdapter} relies on that no compiler checks: Quarkus's protocol handlers send
 * connection_ack through {@code sendConnectionAckMessage()}, after authenticating the token wherever it came, so the
 * connection is counted against its user before the client hears the ack. Were SmallRye to send the ack another
 * way, connections would go uncounted (and the per-user limit unenforced) with every other test still passing.
 * The rest of what the adapter relies on is pinned by SubscriptionAuthenticationTest.
 */
@QuarkusTest
class SmallRyeGraphQLAdapterTest {

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    SubscriptionConnections connections;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theAckOfATokenInConnectionInitComesAfterTheConnectionCountsForItsUser(Protocol protocol) throws Exception {
        String username = Tokens.uniqueUsername("adapter-init");
        String token = Tokens.forUser(username);
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, null)) {
            assertThat(connections.of(DevTokenIssuer.subjectOf(username))).isZero();

            assertThat(ws.init(Map.of("Authorization", "Bearer " + token)).getString("type"))
                    .isEqualTo("connection_ack");

            assertThat(connections.of(DevTokenIssuer.subjectOf(username))).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theAckOfATokenInTheUpgradeComesAfterTheConnectionCountsForItsUser(Protocol protocol) throws Exception {
        String username = Tokens.uniqueUsername("adapter-header");
        try (GraphQLWebSocket ws = GraphQLWebSocket.open(graphql, protocol, Tokens.forUser(username))) {
            assertThat(connections.of(DevTokenIssuer.subjectOf(username))).isZero();

            assertThat(ws.init(null).getString("type")).isEqualTo("connection_ack");

            assertThat(connections.of(DevTokenIssuer.subjectOf(username))).isEqualTo(1);
        }
    }
}
