package dev.appliancesync.realtime.appsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.realtime.RealtimeConfig;
import dev.appliancesync.realtime.websocket.LiveSelections;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.AppSyncSocket;
import dev.appliancesync.support.AppSyncSocket.Handshake;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import dev.appliancesync.support.DeviceReports;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * AppSync's subscriptions to the change-fed fields are served on the multiplexed path (one rendering per group of
 * subscribers who may see the same) and answer byte for byte what SmallRye's per-subscriber execution answers, each
 * start still decided as its own principal.
 */
@QuarkusTest
class AppSyncMultiplexedTest {

    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { __typename applianceId version reported desired } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    LiveSelections selections;

    @Inject
    RealtimeConfig config;

    @AfterEach
    void asConfigured() {
        selections.multiplexed(config.multiplexed());
    }

    @Test
    void aGuestAndAnOwnerGetTheEnginesBytesAndARevocationEndsOnlyTheGuest() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String share = Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        record(appliance, 1, "idle \"quoted\" \u00e9\u4e2d \n tab\t");
        Map<String, Object> variables = Map.of("a", appliance);
        // One socket per path; on each, the owner's start and the guest's (its own authorization), as Amplify sends.
        try (AppSyncSocket multiplexed = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, owner.token());
                AppSyncSocket engine = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, owner.token())) {
            multiplexed.init();
            engine.init();

            selections.multiplexed(true);
            long before = selections.renderings();
            multiplexed.start("owner", STATE_OF, variables, null);
            multiplexed.start("guest", STATE_OF, variables, guest.token());
            assertThat(multiplexed.nextText("owner")).isEqualTo("{\"type\":\"start_ack\",\"id\":\"owner\"}");
            assertThat(multiplexed.nextText("guest")).isEqualTo("{\"type\":\"start_ack\",\"id\":\"guest\"}");
            String ownerFirst = multiplexed.nextText("owner");
            String guestFirst = multiplexed.nextText("guest");
            assertThat(selections.renderings()).as("served on the multiplexed path").isGreaterThan(before);

            selections.multiplexed(false);
            long engineBefore = selections.renderings();
            engine.start("owner", STATE_OF, variables, null);
            engine.start("guest", STATE_OF, variables, guest.token());
            assertThat(engine.nextText("owner")).isEqualTo("{\"type\":\"start_ack\",\"id\":\"owner\"}");
            assertThat(engine.nextText("guest")).isEqualTo("{\"type\":\"start_ack\",\"id\":\"guest\"}");
            assertThat(engine.nextText("owner")).isEqualTo(ownerFirst);
            assertThat(engine.nextText("guest")).isEqualTo(guestFirst);
            assertThat(ownerFirst).contains("targetCelsius").contains("quoted");
            assertThat(guestFirst).doesNotContain("targetCelsius").contains("\"desired\":null");
            assertThat(selections.renderings()).as("the engine's frames were not ours").isEqualTo(engineBefore);

            // A live change: the owner sees its settings, the guest does not; two renderings (one per group).
            long live = selections.renderings();
            record(appliance, 2, "baking");
            String ownerLive = multiplexed.nextText("owner");
            String guestLive = multiplexed.nextText("guest");
            assertThat(engine.nextText("owner")).isEqualTo(ownerLive);
            assertThat(engine.nextText("guest")).isEqualTo(guestLive);
            assertThat(data(ownerLive).getLong("version")).isEqualTo(2);
            assertThat(data(ownerLive).getString("desired")).contains("targetCelsius");
            assertThat(data(guestLive).getLong("version")).isEqualTo(2);
            assertThat(data(guestLive).getValue("desired")).isNull();
            assertThat(selections.renderings() - live).isEqualTo(2);

            // The guest's access revoked between two changes: its start ends with AppSync's error, the owner's goes on.
            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", share))
                    .then().statusCode(200).body("errors", nullValue());
            String revoked = multiplexed.nextText("guest");
            assertThat(new JsonObject(revoked).getString("type")).isEqualTo("error");
            assertThat(new JsonObject(revoked).getJsonObject("payload").getJsonArray("errors").getJsonObject(0)
                    .getString("errorType")).isEqualTo("ACCESS_REVOKED");
            assertThat(engine.nextText("guest")).isEqualTo(revoked);
            record(appliance, 3, "second");
            String ownerAfter = multiplexed.nextText("owner");
            assertThat(data(ownerAfter).getLong("version")).isEqualTo(3);
            assertThat(engine.nextText("owner")).isEqualTo(ownerAfter);
            assertThat(multiplexed.pollText("guest", Duration.ZERO)).as("nothing after the guest's error").isNull();
            assertThat(engine.pollText("guest", Duration.ZERO)).isNull();
        }
    }

    private static JsonObject data(String message) {
        return new JsonObject(message).getJsonObject("payload").getJsonObject("data").getJsonObject("applianceState");
    }

    private void record(String applianceId, long version, String status) {
        DeviceReports.oven(states, applianceId, version, status, 220);
    }
}
