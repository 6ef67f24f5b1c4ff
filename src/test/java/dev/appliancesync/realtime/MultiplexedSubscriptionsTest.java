package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.realtime.websocket.LiveSelections;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.DeviceReports;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Subscriptions served on the multiplexed path (each change rendered once per group of subscribers who see the same
 * of it) answer byte for byte what SmallRye's per-subscriber execution answers, and group only by what each
 * subscriber may see.
 */
@QuarkusTest
class MultiplexedSubscriptionsTest {

    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { applianceId version reported desired } }""";
    private static final String ALL_STATES = "subscription { applianceState { applianceId version desired } }";

    /** Documents as apps write them: every feature of a selection the multiplexed path renders itself. */
    private static final List<String> DOCUMENTS = List.of(
            STATE_OF,
            """
            subscription($a: ID) { applianceState(applianceId: $a) { __typename shadowName applianceId version
              reported desired reportedAt updatedAt } }""",
            """
            subscription Watch($a: ID, $withSettings: Boolean!, $skipTimes: Boolean = true) {
              state: applianceState(applianceId: $a) {
                id: applianceId
                v: version
                ...Times @skip(if: $skipTimes)
                desired @include(if: $withSettings)
                ... on ApplianceState { kind: __typename reported version }
                applianceId
              }
            }
            fragment Times on ApplianceState { updatedAt reportedAt }""",
            """
            subscription Other { applianceState { version } }
            subscription Chosen($a: ID, $skipTimes: Boolean = false) {
              applianceState(applianceId: $a) { ...Times @skip(if: $skipTimes) reported version }
            }
            fragment Times on ApplianceState { updatedAt reportedAt applianceId }""");

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    LiveSelections selections;

    @Inject
    RealtimeConfig config;

    @BeforeEach
    void multiplexed() {
        selections.multiplexed(true);
    }

    @AfterEach
    void asConfigured() {
        selections.multiplexed(config.multiplexed());
    }

    @Test
    void framesAreByteForByteWhatTheEngineSendsForEachDocument() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String share = Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        record(appliance, 1, "idle \"quoted\" \u00e9\u4e2d \n tab\t");
        Map<String, Object> variables = Map.of("a", appliance, "withSettings", true);
        try (GraphQLWebSocket multiplexed = GraphQLWebSocket.connected(graphql, owner.token());
                GraphQLWebSocket engine = GraphQLWebSocket.connected(graphql, owner.token());
                GraphQLWebSocket guestMultiplexed = GraphQLWebSocket.connected(graphql, guest.token());
                GraphQLWebSocket guestEngine = GraphQLWebSocket.connected(graphql, guest.token())) {
            long before = selections.renderings();
            for (int i = 0; i < DOCUMENTS.size(); i++) {
                subscribe(multiplexed, "d" + i, DOCUMENTS.get(i), variables);
            }
            guestMultiplexed.subscribe("g", STATE_OF, Map.of("a", appliance));
            List<String> first = firstOfEach(multiplexed);
            String guestFirst = guestMultiplexed.nextText("g");
            assertThat(selections.renderings()).as("served on the multiplexed path").isGreaterThan(before);

            selections.multiplexed(false);
            long engineBefore = selections.renderings();
            for (int i = 0; i < DOCUMENTS.size(); i++) {
                subscribe(engine, "d" + i, DOCUMENTS.get(i), variables);
            }
            guestEngine.subscribe("g", STATE_OF, Map.of("a", appliance));
            assertThat(firstOfEach(engine)).isEqualTo(first);
            assertThat(guestEngine.nextText("g")).isEqualTo(guestFirst);
            assertThat(selections.renderings()).as("the engine's frames were not ours").isEqualTo(engineBefore);

            // A live change, then the guest's subscription ending with ACCESS_REVOKED (error, then complete).
            record(appliance, 2, "baking");
            List<String> live = firstOfEach(multiplexed);
            assertThat(firstOfEach(engine)).isEqualTo(live);
            assertThat(live.get(0)).contains("220").contains("baking");
            String guestLive = guestMultiplexed.nextText("g");
            assertThat(guestLive).contains("baking").doesNotContain("targetCelsius");
            assertThat(guestEngine.nextText("g")).isEqualTo(guestLive);

            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", share))
                    .then().statusCode(200).body("errors", nullValue());
            String revoked = guestMultiplexed.nextText("g");
            assertThat(revoked).contains("ACCESS_REVOKED");
            assertThat(guestEngine.nextText("g")).isEqualTo(revoked);
            String complete = guestMultiplexed.nextText("g");
            assertThat(complete).isEqualTo("{\"type\":\"complete\",\"id\":\"g\"}");
            assertThat(guestEngine.nextText("g")).isEqualTo(complete);
        }
    }

    @Test
    void changesShareChangesAndPreferencesAreByteForByteWhatTheEngineSends() throws Exception {
        User owner = User.signedIn("owner");
        User recipient = User.signedIn("recipient");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String now = GraphQL.post(recipient.token(), "{ changes(limit: 0) { cursor } }").then().statusCode(200)
                .extract().path("data.changes.cursor");
        Map<String, Object> after = Map.of("c", now);
        List<String> documents = List.of("""
                subscription($c: String) { changes(after: $c) { __typename cursor type at applianceId householdId
                  data } }""", """
                subscription($c: String) { shareChanges(after: $c) { cursor type at shareId invitationId applianceId
                  householdId recipientId role expiresAt reason cloudSync data __typename } }""", """
                subscription { mine: preferencesChanged { applianceId settings version updatedAt __typename } }""");
        try (GraphQLWebSocket multiplexed = GraphQLWebSocket.connected(graphql, recipient.token());
                GraphQLWebSocket engine = GraphQLWebSocket.connected(graphql, recipient.token())) {
            long before = selections.renderings();
            for (int i = 0; i < documents.size(); i++) {
                subscribe(multiplexed, "d" + i, documents.get(i), after);
            }
            assertThat(multiplexed.ping()).isTrue(); // its subscribes were handled (in order) before the switch
            selections.multiplexed(false);
            for (int i = 0; i < documents.size(); i++) {
                subscribe(engine, "d" + i, documents.get(i), after);
            }
            assertThat(engine.ping()).isTrue();

            Appliances.share(owner.token(), appliance, recipient.email(), "FAMILY");
            GraphQL.post(recipient.token(), """
                    mutation($a: ID!, $s: JSON!) { updatePreferences(applianceId: $a, settings: $s) { version } }""",
                    Map.of("a", appliance, "s", "{\"unit\":\"celsius\",\"note\":\"\u00e9\\\\ \\\"\"}"))
                    .then().statusCode(200).body("errors", nullValue());

            String granted = multiplexed.nextText("d0");
            assertThat(granted).contains("SHARE_GRANTED");
            assertThat(engine.nextText("d0")).isEqualTo(granted);
            String shareGranted = multiplexed.nextText("d1");
            assertThat(shareGranted).contains("SHARE_GRANTED").contains("FAMILY");
            assertThat(engine.nextText("d1")).isEqualTo(shareGranted);
            String preferences = multiplexed.nextText("d2");
            assertThat(preferences).contains("celsius").contains("\"mine\"");
            assertThat(engine.nextText("d2")).isEqualTo(preferences);
            String preferencesChange = multiplexed.nextText("d0");
            while (!preferencesChange.contains("PREFERENCES_CHANGED")) {
                assertThat(engine.nextText("d0")).isEqualTo(preferencesChange);
                preferencesChange = multiplexed.nextText("d0");
            }
            assertThat(engine.nextText("d0")).isEqualTo(preferencesChange);
            assertThat(selections.renderings()).as("served on the multiplexed path").isGreaterThan(before);
        }
    }

    @Test
    void aGuestAndAnOwnerWithTheSameDocumentGetDifferentFramesEachGroupRenderedOnce() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        User otherGuest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        Appliances.share(owner.token(), appliance, otherGuest.email(), "GUEST");
        record(appliance, 1, "idle");
        List<GraphQLWebSocket> owners = new ArrayList<>();
        List<GraphQLWebSocket> guests = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                owners.add(GraphQLWebSocket.connected(graphql, owner.token()));
            }
            guests.add(GraphQLWebSocket.connected(graphql, guest.token()));
            guests.add(GraphQLWebSocket.connected(graphql, guest.token()));
            guests.add(GraphQLWebSocket.connected(graphql, otherGuest.token()));
            for (GraphQLWebSocket ws : concat(owners, guests)) {
                ws.subscribe("s", STATE_OF, Map.of("a", appliance));
                assertThat(data(ws.nextText("s")).getLong("version")).isEqualTo(1);
            }

            long before = selections.renderings();
            record(appliance, 2, "baking");
            List<String> ownerFrames = new ArrayList<>();
            for (GraphQLWebSocket ws : owners) {
                ownerFrames.add(ws.nextText("s"));
            }
            List<String> guestFrames = new ArrayList<>();
            for (GraphQLWebSocket ws : guests) {
                guestFrames.add(ws.nextText("s"));
            }

            assertThat(ownerFrames).allMatch(ownerFrames.get(0)::equals);
            assertThat(guestFrames).allMatch(guestFrames.get(0)::equals);
            JsonObject seenByOwner = data(ownerFrames.get(0));
            JsonObject seenByGuest = data(guestFrames.get(0));
            assertThat(seenByOwner.getLong("version")).isEqualTo(2);
            assertThat(seenByGuest.getLong("version")).isEqualTo(2);
            assertThat(seenByOwner.getString("desired")).contains("220");
            assertThat(seenByGuest.getValue("desired")).isNull();
            assertThat(guestFrames.get(0)).doesNotContain("targetCelsius");
            // Two groups (those who may adjust settings, those who may only view status): two renderings in all.
            assertThat(selections.renderings() - before).isEqualTo(2);
        } finally {
            concat(owners, guests).forEach(GraphQLWebSocket::close);
        }
    }

    @Test
    void aRevocationBetweenTwoChangesStopsTheSecondForThatSubscriberOnly() throws Exception {
        User owner = User.signedIn("owner");
        User revoked = User.signedIn("guest");
        User kept = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String mine = Appliances.claimed(revoked.token(), "MINI_OVEN").id();
        String share = Appliances.share(owner.token(), appliance, revoked.email(), "GUEST");
        Appliances.share(owner.token(), appliance, kept.email(), "GUEST");
        record(appliance, 1, "idle");
        try (GraphQLWebSocket ownerWs = GraphQLWebSocket.connected(graphql, owner.token());
                GraphQLWebSocket revokedWs = GraphQLWebSocket.connected(graphql, revoked.token());
                GraphQLWebSocket keptWs = GraphQLWebSocket.connected(graphql, kept.token())) {
            for (GraphQLWebSocket ws : List.of(ownerWs, revokedWs, keptWs)) {
                ws.subscribe("s", ALL_STATES);
            }
            assertThat(version(ownerWs.nextData("s"))).isEqualTo(1);
            assertThat(version(keptWs.nextData("s"))).isEqualTo(1);
            // The revoked guest's first states, its own appliance's (none yet) and the shared one's, in any order.
            assertThat(version(revokedWs.nextData("s"))).isEqualTo(1);

            record(appliance, 2, "first");
            for (GraphQLWebSocket ws : List.of(ownerWs, revokedWs, keptWs)) {
                assertThat(version(ws.nextData("s"))).isEqualTo(2);
            }
            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", share))
                    .then().statusCode(200).body("errors", nullValue());
            record(appliance, 3, "second");
            assertThat(version(ownerWs.nextData("s"))).isEqualTo(3);
            assertThat(version(keptWs.nextData("s"))).isEqualTo(3);
            // Delivered after version 3 was: had version 3 gone to the revoked guest, it would come first.
            record(mine, 1, "marker");
            JsonObject next = revokedWs.nextData("s").getJsonObject("applianceState");
            assertThat(next.getString("applianceId")).isEqualTo(mine);
        }
    }

    @Test
    void aSubscriberWithAnotherSelectionGetsItsOwnFrame() throws Exception {
        User owner = User.signedIn("owner");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        record(appliance, 1, "idle");
        try (GraphQLWebSocket narrow = GraphQLWebSocket.connected(graphql, owner.token());
                GraphQLWebSocket wide = GraphQLWebSocket.connected(graphql, owner.token())) {
            narrow.subscribe("s", "subscription($a: ID) { applianceState(applianceId: $a) { version } }",
                    Map.of("a", appliance));
            wide.subscribe("s", STATE_OF, Map.of("a", appliance));
            narrow.nextText("s");
            wide.nextText("s");

            long before = selections.renderings();
            record(appliance, 2, "baking");
            assertThat(narrow.nextText("s"))
                    .isEqualTo("{\"type\":\"next\",\"id\":\"s\",\"payload\":{\"data\":{\"applianceState\":{\"version\":2}}}}");
            JsonObject wider = data(wide.nextText("s"));
            assertThat(wider.fieldNames()).containsExactly("applianceId", "version", "reported", "desired");
            assertThat(wider.getString("reported")).contains("baking");
            assertThat(selections.renderings() - before).isEqualTo(2);
        }
    }

    private static void subscribe(GraphQLWebSocket ws, String id, String document, Map<String, Object> variables) {
        JsonObject payload = new JsonObject().put("query", document).put("variables", new JsonObject(variables));
        if (document.contains("Chosen")) {
            payload.put("operationName", "Chosen");
        }
        ws.send(new JsonObject().put("id", id).put("type", "subscribe").put("payload", payload));
    }

    private static List<String> firstOfEach(GraphQLWebSocket ws) throws InterruptedException {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < DOCUMENTS.size(); i++) {
            frames.add(ws.nextText("d" + i));
        }
        return frames;
    }

    private static JsonObject data(String frame) {
        return new JsonObject(frame).getJsonObject("payload").getJsonObject("data").getJsonObject("applianceState");
    }

    private static long version(JsonObject data) {
        return data.getJsonObject("applianceState").getLong("version");
    }

    private static List<GraphQLWebSocket> concat(List<GraphQLWebSocket> a, List<GraphQLWebSocket> b) {
        List<GraphQLWebSocket> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private void record(String applianceId, long version, String status) {
        DeviceReports.oven(states, applianceId, version, status, 220);
    }
}
