package dev.appliancesync.realtime.appsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.AppSyncSocket;
import dev.appliancesync.support.AppSyncSocket.Handshake;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Tokens;
import dev.appliancesync.support.User;
import dev.appliancesync.support.DeviceReports;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** AppSync's realtime protocol at /graphql/realtime, through a raw WebSocket, as AWS Amplify speaks it. */
@QuarkusTest
class AppSyncRealtimeTest {

    private static final String HEARTBEAT = "subscription { heartbeat(everySeconds: 1) { sequence username } }";
    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { applianceId version } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    AppSyncConfig config;

    @Inject
    DevTokenIssuer issuer;

    @ParameterizedTest
    @EnumSource(Handshake.class)
    void bothHandshakesAuthenticateWithTheBareTokenAmplifySends(Handshake handshake) throws Exception {
        User user = User.signedIn("amplify");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, handshake, user.token())) {
            JsonObject ack = ws.init();
            assertThat(ack.getString("type")).isEqualTo("connection_ack");
            assertThat(ack.getJsonObject("payload").getLong("connectionTimeoutMs"))
                    .isEqualTo(config.connectionTimeout().toMillis());

            ws.start("1", HEARTBEAT, Map.of(), null);
            assertThat(ws.next("1").getString("type")).isEqualTo("start_ack");
            JsonObject beat = ws.nextData("1").getJsonObject("heartbeat");
            assertThat(beat.getInteger("sequence")).isEqualTo(1);
            assertThat(beat.getString("username")).isEqualTo(user.username());
        }
    }

    @Test
    void keepAlivesComeMoreOftenThanTheTimeoutTheClientWasGiven() throws Exception {
        User user = User.signedIn("ka");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, user.token())) {
            long timeout = ws.init().getJsonObject("payload").getLong("connectionTimeoutMs");
            Duration interval = config.keepAliveInterval();
            assertThat(interval.toMillis()).isLessThan(timeout);
            // One right after the ack, as AppSync does, then one per interval.
            long first = System.nanoTime();
            ws.nextKeepAlive(AppSyncSocket.WAIT);
            ws.nextKeepAlive(interval.multipliedBy(4));
            ws.nextKeepAlive(interval.multipliedBy(4));
            assertThat(Duration.ofNanos(System.nanoTime() - first)).isLessThan(Duration.ofMillis(timeout));
        }
    }

    @Test
    void eachStartRunsAsThePrincipalOfItsOwnAuthorization() throws Exception {
        User alice = User.signedIn("alice");
        User bob = User.signedIn("bob");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, alice.token())) {
            assertThat(ws.init().getString("type")).isEqualTo("connection_ack");
            ws.start("mine", HEARTBEAT, Map.of(), alice.token());
            ws.start("bobs", HEARTBEAT, Map.of(), "Bearer " + bob.token());
            ws.start("default", HEARTBEAT, Map.of(), null);

            assertThat(ws.next("bobs").getString("type")).isEqualTo("start_ack");
            assertThat(ws.nextData("bobs").getJsonObject("heartbeat").getString("username")).isEqualTo(bob.username());
            assertThat(ws.next("mine").getString("type")).isEqualTo("start_ack");
            assertThat(ws.nextData("mine").getJsonObject("heartbeat").getString("username"))
                    .isEqualTo(alice.username());
            // No authorization of its own: the handshake's principal.
            assertThat(ws.next("default").getString("type")).isEqualTo("start_ack");
            assertThat(ws.nextData("default").getJsonObject("heartbeat").getString("username"))
                    .isEqualTo(alice.username());
        }
    }

    @Test
    void aStartWithABadTokenGetsAnAppSyncErrorAndTheConnectionServesTheOthers() throws Exception {
        User user = User.signedIn("mixed");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, user.token())) {
            ws.init();
            ws.start("bad", HEARTBEAT, Map.of(), "not-a-token");
            JsonObject error = ws.next("bad");
            assertThat(error.getString("type")).isEqualTo("error");
            JsonObject first = error.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
            assertThat(first.getString("errorType")).isEqualTo("UNAUTHENTICATED");
            assertThat(first.getString("message")).contains("not a valid access token");

            ws.start("good", HEARTBEAT, Map.of(), user.token());
            assertThat(ws.next("good").getString("type")).isEqualTo("start_ack");
            assertThat(ws.nextData("good").getJsonObject("heartbeat").getString("username"))
                    .isEqualTo(user.username());
        }
    }

    @Test
    void aBadHandshakeTokenGetsConnectionErrorWithACodeAmplifyDoesNotRetry() throws Exception {
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, "not-a-token")) {
            JsonObject refused = ws.init();
            assertThat(refused.getString("type")).isEqualTo("connection_error");
            JsonObject error = refused.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("errorType")).isEqualTo("UNAUTHENTICATED");
            assertThat(error.getInteger("errorCode")).isEqualTo(401);
            assertThat(ws.awaitClose(AppSyncSocket.WAIT)).isEqualTo(4401);
        }
    }

    @Test
    void stopAnswersCompleteAndNothingMoreComesForThatOperation() throws Exception {
        User user = User.signedIn("stopper");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, user.token())) {
            ws.init();
            ws.start("1", HEARTBEAT, Map.of(), null);
            ws.start("2", HEARTBEAT, Map.of(), null);
            assertThat(ws.next("1").getString("type")).isEqualTo("start_ack");
            ws.nextData("1");
            ws.stop("1");
            JsonObject complete;
            do {
                complete = ws.next("1"); // a beat may have been on its way before the stop
            } while ("data".equals(complete.getString("type")));
            assertThat(complete.getString("type")).isEqualTo("complete");
            // The other operation keeps beating (two more beats take two seconds) while 1 stays silent.
            assertThat(ws.next("2").getString("type")).isEqualTo("start_ack");
            int sequence = ws.nextData("2").getJsonObject("heartbeat").getInteger("sequence");
            assertThat(ws.nextData("2").getJsonObject("heartbeat").getInteger("sequence")).isEqualTo(sequence + 1);
            assertThat(ws.nextData("2").getJsonObject("heartbeat").getInteger("sequence")).isEqualTo(sequence + 2);
            assertThat(ws.poll("1", Duration.ZERO)).isNull();
        }
    }

    @Test
    void aRevokedGuestsSubscriptionEndsWithAccessRevokedWhileTheOwnersOnTheSameSocketGoesOn() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String share = Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        record(appliance, 1);
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, owner.token())) {
            ws.init();
            ws.start("guest", STATE_OF, Map.of("a", appliance), guest.token());
            ws.start("owner", STATE_OF, Map.of("a", appliance), owner.token());
            assertThat(ws.next("guest").getString("type")).isEqualTo("start_ack");
            assertThat(ws.nextData("guest").getJsonObject("applianceState").getInteger("version")).isEqualTo(1);
            assertThat(ws.next("owner").getString("type")).isEqualTo("start_ack");
            assertThat(ws.nextData("owner").getJsonObject("applianceState").getInteger("version")).isEqualTo(1);

            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", share))
                    .then().statusCode(200).body("errors", nullValue());

            JsonObject revoked = ws.next("guest");
            assertThat(revoked.getString("type")).as("%s", revoked).isEqualTo("error");
            JsonObject error = revoked.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("errorType")).isEqualTo("ACCESS_REVOKED");
            assertThat(error.getString("message")).isNotBlank();
            record(appliance, 2);
            assertThat(ws.nextData("owner").getJsonObject("applianceState").getInteger("version")).isEqualTo(2);
            assertThat(ws.poll("guest", Duration.ZERO)).isNull();
        }
    }

    @Test
    void aStartBeforeTheAckAndAStartWithoutARequestGetErrorsNotAClose() throws Exception {
        User user = User.signedIn("early");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, user.token())) {
            ws.start("early", HEARTBEAT, Map.of(), null);
            assertThat(ws.next("early").getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getString("errorType")).isEqualTo("BAD_REQUEST");
            ws.init();
            ws.send(new JsonObject().put("id", "empty").put("type", "start")
                    .put("payload", new JsonObject().put("data", "not json")));
            assertThat(ws.next("empty").getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getString("errorType")).isEqualTo("BAD_REQUEST");
            ws.start("later", HEARTBEAT, Map.of(), null);
            assertThat(ws.next("later").getString("type")).isEqualTo("start_ack");
        }
    }

    @Test
    void aQueryAsAStartIsAnsweredWithDataThenCompleteAndAnInvalidOneWithAnError() throws Exception {
        User user = User.signedIn("query");
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.QUERY_STRING, "Bearer " + user.token())) {
            ws.init();
            ws.start("q", "{ me { username } }", Map.of(), null);
            assertThat(ws.nextData("q").getJsonObject("me").getString("username")).isEqualTo(user.username());
            assertThat(ws.next("q").getString("type")).isEqualTo("complete");

            ws.start("invalid", "subscription { noSuchField }", Map.of(), null);
            JsonObject error = ws.next("invalid");
            assertThat(error.getString("type")).isEqualTo("error");
            assertThat(error.getJsonObject("payload").getJsonArray("errors").getJsonObject(0).getString("errorType"))
                    .isEqualTo("GRAPHQL_VALIDATION_FAILED");
        }
    }

    @Test
    void theConnectionClosesWith1008WhenTheHandshakeTokenExpires() throws Exception {
        String token = issuer.sign(issuer.cognitoAccessToken(Tokens.uniqueUsername("expiring"), Instant.now(),
                Instant.now().plusSeconds(3)));
        try (AppSyncSocket ws = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, token)) {
            assertThat(ws.init().getString("type")).isEqualTo("connection_ack");
            ws.start("1", HEARTBEAT, Map.of(), null);
            assertThat(ws.next("1").getString("type")).isEqualTo("start_ack");
            assertThat(ws.awaitClose(Duration.ofSeconds(15))).isEqualTo(1008);
        }
    }

    private void record(String applianceId, long version) {
        DeviceReports.oven(states, applianceId, version, "idle", 220);
    }
}
