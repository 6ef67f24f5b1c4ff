package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.access.PolicyClock;
import dev.appliancesync.access.PolicyStore;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.DeviceReports;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.PolicyFiles;
import dev.appliancesync.support.Tokens;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Live subscriptions are decided with the groups of their own connection's token, and end with ACCESS_REVOKED when
 * the policies take their access away: a policy reload, or a time window of a policy that opens or closes. Real
 * WebSocket clients, real policy files in the watched directory.
 */
@QuarkusTest
class LiveAccessDecisionsTest {

    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { applianceId version } }""";
    private static final String EVERY_STATE = "subscription { applianceState { applianceId version } }";
    /** A revocation takes a reload (every 200 ms in tests) and one pass on the live context: this is generous. */
    private static final Duration REVOKED_WITHIN = Duration.ofSeconds(10);

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    PolicyStore policyStore;

    @Inject
    MeterRegistry metrics;

    private PolicyFiles policies;
    private final String unique = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void policyFiles() {
        policies = new PolicyFiles(policyStore);
    }

    @AfterEach
    void deletePolicyFiles() throws IOException {
        policies.deleteAll();
    }

    /**
     * The issue's case: a user removed from a group signs in again, and their new connection is decided with the new
     * groups while a connection opened with the old token (which kept the user's live state here) is still open.
     */
    @Test
    void eachConnectionIsDecidedWithTheGroupsOfItsOwnToken() throws Exception {
        User owner = User.signedIn("owner");
        String group = "technicians-" + unique;
        User technician = User.signedIn("tech", List.of(group));
        String afterRemoval = Tokens.forUser(technician.username(), technician.email(), List.of());
        String shared = Appliances.claimed(owner.token(), "GENERIC").id();
        Appliances.share(owner.token(), shared, technician.email(), "FAMILY");
        String own = Appliances.claimed(technician.token(), "GENERIC").id();
        // Only the group may see the shared appliance: without it, the share is not enough.
        policies.writeInForce("group-only-" + unique + ".cedar", """
                @id("group-only-%s")
                forbid (principal == User::"%s", action == Action::"VIEW_STATUS", resource == Appliance::"%s")
                unless { principal in Group::"%s" };
                """.formatted(unique, technician.id(), shared, group));

        // The old token's connection first: it is the one that created the user's live state on this instance.
        try (GraphQLWebSocket oldToken = GraphQLWebSocket.connected(graphql, technician.token());
                GraphQLWebSocket newToken = GraphQLWebSocket.connected(graphql, afterRemoval)) {
            oldToken.subscribe("states", EVERY_STATE);
            record(own, 1);
            assertThat(stateOf(oldToken.nextData("states"))).isEqualTo(own + "@1");
            newToken.subscribe("states", EVERY_STATE);
            assertThat(stateOf(newToken.nextData("states"))).as("the current state, decided for the new token")
                    .isEqualTo(own + "@1");

            record(shared, 1);
            record(own, 2);

            assertThat(stateOf(oldToken.nextData("states")))
                    .as("the old token is still in the group: it sees the shared appliance").isEqualTo(shared + "@1");
            assertThat(stateOf(oldToken.nextData("states"))).isEqualTo(own + "@2");
            assertThat(stateOf(newToken.nextData("states")))
                    .as("the new token is not: the shared appliance's state, logged before, never reaches it")
                    .isEqualTo(own + "@2");
        }
    }

    @Test
    void aPolicyReloadThatRemovesAGroupsAccessEndsItsSubscriptionsWithAccessRevoked() throws Exception {
        User owner = User.signedIn("owner");
        String group = "contractors-" + unique;
        User contractor = User.signedIn("contractor", List.of(group));
        String appliance = Appliances.claimed(owner.token(), "GENERIC").id();
        Appliances.share(owner.token(), appliance, contractor.email(), "FAMILY");
        String own = Appliances.claimed(contractor.token(), "GENERIC").id();
        record(appliance, 1);
        record(own, 1);
        double revokedBefore = revokedCount();

        try (GraphQLWebSocket contractorWs = GraphQLWebSocket.connected(graphql, contractor.token());
                GraphQLWebSocket ownerWs = GraphQLWebSocket.connected(graphql, owner.token())) {
            contractorWs.subscribe("shared", STATE_OF, Map.of("a", appliance));
            contractorWs.subscribe("own", STATE_OF, Map.of("a", own));
            ownerWs.subscribe("owner", STATE_OF, Map.of("a", appliance));
            assertThat(stateOf(contractorWs.nextData("shared"))).isEqualTo(appliance + "@1");
            assertThat(stateOf(contractorWs.nextData("own"))).isEqualTo(own + "@1");
            assertThat(stateOf(ownerWs.nextData("owner"))).isEqualTo(appliance + "@1");

            policies.write("no-contractors-" + unique + ".cedar", """
                    @id("no-contractors-%s")
                    forbid (principal in Group::"%s", action == Action::"VIEW_STATUS", resource == Appliance::"%s");
                    """.formatted(unique, group, appliance));

            assertRevoked(contractorWs.pollMessage("shared", REVOKED_WITHIN).orElseThrow(
                    () -> new AssertionError("no ACCESS_REVOKED within " + REVOKED_WITHIN + " of the reload")),
                    appliance);
            assertThat(revokedCount()).as("counted as a revocation is").isGreaterThan(revokedBefore);

            // Everyone the new set still allows goes on: the owner on that appliance, the contractor on their own.
            record(appliance, 2);
            record(own, 2);
            assertThat(stateOf(ownerWs.nextData("owner"))).isEqualTo(appliance + "@2");
            assertThat(stateOf(contractorWs.nextData("own"))).isEqualTo(own + "@2");
            assertThat(contractorWs.nextMessage("shared").getString("type")).as("the revoked operation completes")
                    .isEqualTo("complete");
            assertThat(contractorWs.received("shared")).as("and receives nothing after that").isZero();
        }
    }

    /**
     * The policies refuse the grant that is left: the cooker is still shared, but as GUEST, and guests may not view a
     * cooker. The user keeps a grant, so only a decision (not a lost row) can end the subscription.
     */
    @Test
    void aShareChangedToARoleThatMayNotViewEndsTheSubscriptionAsARevocationDoes() throws Exception {
        User owner = User.signedIn("owner");
        User family = User.signedIn("family");
        String cooker = Appliances.claimed(owner.token(), "COOKER").id();
        Appliances.share(owner.token(), cooker, family.email(), "FAMILY");
        record(cooker, 1);
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, family.token())) {
            ws.subscribe("state", STATE_OF, Map.of("a", cooker));
            assertThat(stateOf(ws.nextData("state"))).isEqualTo(cooker + "@1");

            Appliances.share(owner.token(), cooker, family.email(), "GUEST"); // sharing again updates the share

            assertRevoked(ws.pollMessage("state", REVOKED_WITHIN).orElseThrow(
                    () -> new AssertionError("no ACCESS_REVOKED after the share became GUEST")), cooker);
        }
    }

    /**
     * Quiet hours: a forbid whose window opens at 11:00 UTC on the policies' clock. The clock is moved to 10:59:50 and
     * runs on in real time; the subscription ends when the minute turns, with no change in the log to trigger it.
     */
    @Test
    void aTimeWindowThatEndsAccessEndsTheSubscriptionWhenTheMinuteTurns() throws Exception {
        MovableClock clock = new MovableClock();
        QuarkusMock.installMockForType(clock, PolicyClock.class);
        Instant morning = Instant.parse("2031-03-04T10:00:00Z");
        clock.moveTo(morning);

        User owner = User.signedIn("owner");
        User family = User.signedIn("family");
        String appliance = Appliances.claimed(owner.token(), "GENERIC").id();
        Appliances.share(owner.token(), appliance, family.email(), "FAMILY");
        record(appliance, 1);
        policies.writeInForce("quiet-hours-" + unique + ".cedar", """
                @id("quiet-hours-%s")
                forbid (principal == User::"%s", action == Action::"VIEW_STATUS", resource == Appliance::"%s")
                when { context.hourUtc == 11 };
                """.formatted(unique, family.id(), appliance));

        try (GraphQLWebSocket familyWs = GraphQLWebSocket.connected(graphql, family.token());
                GraphQLWebSocket ownerWs = GraphQLWebSocket.connected(graphql, owner.token())) {
            familyWs.subscribe("state", STATE_OF, Map.of("a", appliance));
            ownerWs.subscribe("state", STATE_OF, Map.of("a", appliance));
            assertThat(stateOf(familyWs.nextData("state"))).isEqualTo(appliance + "@1");
            assertThat(stateOf(ownerWs.nextData("state"))).isEqualTo(appliance + "@1");

            clock.moveTo(morning.plus(Duration.ofMinutes(59)).plusSeconds(50));
            // 10:59 is a new minute, decided again, and still outside the window: the subscription goes on.
            record(appliance, 2);
            assertThat(stateOf(familyWs.nextData("state"))).isEqualTo(appliance + "@2");

            // 11:00 comes ten seconds later; the minute is looked at every second.
            assertRevoked(familyWs.pollMessage("state", Duration.ofSeconds(10).plus(REVOKED_WITHIN)).orElseThrow(
                    () -> new AssertionError("no ACCESS_REVOKED when the window opened")), appliance);
            assertThat(clock.now()).as("not before the window").isAfterOrEqualTo(morning.plus(Duration.ofHours(1)));

            record(appliance, 3);
            assertThat(stateOf(ownerWs.nextData("state"))).as("the owner is not named by the window")
                    .isEqualTo(appliance + "@2");
            assertThat(stateOf(ownerWs.nextData("state"))).isEqualTo(appliance + "@3");
        }
    }

    /** The policies' clock, moved to a chosen moment, from where it runs on in real time. */
    static final class MovableClock extends PolicyClock {

        private volatile Duration offset = Duration.ZERO;

        void moveTo(Instant moment) {
            offset = Duration.between(super.now(), moment);
        }

        @Override
        public Instant now() {
            return super.now().plus(offset);
        }
    }

    private static void assertRevoked(JsonObject message, String appliance) {
        // As every revocation ends: the error alone, in the operation's last payload, then complete.
        JsonObject error = message.getJsonObject("payload").getJsonArray("errors").getJsonObject(0);
        assertThat(error.getJsonObject("extensions").getString("code")).as(message.encode()).isEqualTo("ACCESS_REVOKED");
        assertThat(error.getJsonObject("extensions").getString("applianceId")).isEqualTo(appliance);
    }

    private double revokedCount() {
        return metrics.get(ServiceMetrics.REALTIME_SUBSCRIPTIONS_DROPPED).tag("reason", "ACCESS_REVOKED").counter()
                .count();
    }

    /** A device reports its shadow at {@code version}. */
    private void record(String applianceId, long version) {
        assertThat(DeviceReports.report(states, applianceId, version, new JsonObject().put("status", "v" + version),
                new JsonObject())).isTrue();
    }

    private static String stateOf(JsonObject data) {
        JsonObject state = data.getJsonObject("applianceState");
        return state.getString("applianceId") + "@" + state.getInteger("version");
    }
}
