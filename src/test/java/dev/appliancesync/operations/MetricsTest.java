package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.Test;

import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The metrics docs/operations.md tells a platform team to alert on move when the service does what drives them.
 * Counters are shared with every other test in this JVM, so each assertion is on the change this test caused.
 */
@QuarkusTest
class MetricsTest {

    private static final String STATE_OF = """
            subscription($a: ID) { applianceState(applianceId: $a) { applianceId version } }""";
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    MeterRegistry metrics;

    @Inject
    DeviceStateService states;

    @Test
    void aSubscriptionsLifeFromConnectionToRevocationIsCounted() throws Exception {
        User owner = User.signedIn("owner");
        User guest = User.signedIn("guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        String share = Appliances.share(owner.token(), appliance, guest.email(), "GUEST");
        record(appliance, 1);
        double connections = gauge("appliance_sync.realtime.connections.active");
        double subscriptions = gauge("appliance_sync.realtime.subscriptions.active");
        double delivered = counter("appliance_sync.realtime.events.delivered");
        double revoked = metrics.get("appliance_sync.realtime.subscriptions.dropped").tag("reason", "ACCESS_REVOKED")
                .counter().count();
        long cutoffs = metrics.get("appliance_sync.realtime.revocation_cutoff").timer().count();

        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, guest.token())) {
            ws.subscribe("one", STATE_OF, Map.of("a", appliance));
            // The current state is the first thing delivered.
            assertThat(ws.nextData("one").getJsonObject("applianceState").getInteger("version")).isEqualTo(1);
            assertThat(gauge("appliance_sync.realtime.connections.active")).isEqualTo(connections + 1);
            assertThat(gauge("appliance_sync.realtime.subscriptions.active")).isEqualTo(subscriptions + 1);
            record(appliance, 2);
            assertThat(ws.nextData("one").getJsonObject("applianceState").getInteger("version")).isEqualTo(2);
            // Counted just after the hand-over, so possibly after the client has it already.
            eventually(() -> assertThat(counter("appliance_sync.realtime.events.delivered"))
                    .isGreaterThanOrEqualTo(delivered + 2));

            GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", share))
                    .then().statusCode(200).body("errors", nullValue());
            JsonObject ended = ws.nextMessage("one");
            assertThat(ended.encode()).contains("ACCESS_REVOKED");

            eventually(() -> assertThat(metrics.get("appliance_sync.realtime.subscriptions.dropped")
                    .tag("reason", "ACCESS_REVOKED").counter().count()).isEqualTo(revoked + 1));
            Timer cutoff = metrics.get("appliance_sync.realtime.revocation_cutoff").timer();
            eventually(() -> assertThat(cutoff.count()).isEqualTo(cutoffs + 1));
            assertThat(cutoff.max(TimeUnit.NANOSECONDS)).isPositive();
            // The subscription is gone, the connection is still open.
            eventually(() -> assertThat(gauge("appliance_sync.realtime.subscriptions.active")).isEqualTo(subscriptions));
            assertThat(gauge("appliance_sync.realtime.connections.active")).isEqualTo(connections + 1);
        }
        eventually(() -> assertThat(gauge("appliance_sync.realtime.connections.active")).isEqualTo(connections));
    }

    @Test
    void cedarDecisionsAreTimedAndRememberedAnswersCountedApart() {
        // In a group of their own: remembered answers are shared by callers in the same groups (no policy names a
        // user), and other tests may have asked this minute what this owner asks.
        User owner = User.signedIn("owner", List.of("metrics-" + UUID.randomUUID()));
        long decisions = metrics.get("appliance_sync.access.decision").timer().count();

        // The first questions of callers in these groups go to Cedar...
        Appliances.claimed(owner.token(), "MINI_OVEN");
        assertThat(metrics.get("appliance_sync.access.decision").timer().count()).isGreaterThan(decisions);
        // ...the same question again in the same minute is answered from memory, and counted as such.
        double hits = counter("appliance_sync.access.decision.memo_hits");
        askCapabilities(owner);
        assertThat(counter("appliance_sync.access.decision.memo_hits")).isGreaterThan(hits);
    }

    private static void askCapabilities(User user) {
        GraphQL.post(user.token(), "{ appliances { id myCapabilities } }", Map.of())
                .then().statusCode(200).body("errors", nullValue());
    }

    /** Prometheus sees the histograms (for quantiles across instances) and the new meters under their names. */
    @Test
    void theScrapeHasTheHistogramsAndGauges() {
        String scrape = management().get("/q/metrics").then().statusCode(200)
                .body(containsString("appliance_sync_realtime_connections_active"))
                .extract().asString();
        assertThat(scrape).contains("appliance_sync_realtime_subscriptions_active",
                "appliance_sync_realtime_events_delivered_total",
                "appliance_sync_realtime_subscriptions_dropped_total{reason=\"SLOW_CONSUMER\"",
                "appliance_sync_realtime_revocation_cutoff_seconds_bucket",
                "appliance_sync_realtime_delivery_lag_seconds_bucket",
                "appliance_sync_access_decision_seconds_bucket",
                "appliance_sync_access_decision_memo_hits_total");
    }

    private static void eventually(ThrowingRunnable assertion) {
        Awaitility.await().atMost(BOUND).untilAsserted(assertion);
    }

    private double gauge(String name) {
        return metrics.get(name).gauge().value();
    }

    private double counter(String name) {
        return metrics.get(name).counter().count();
    }

    private void record(String applianceId, long version) {
        states.record(UUID.fromString(applianceId), "", new JsonObject().put("status", "on"),
                new JsonObject(), version, null).await().atMost(BOUND);
    }
}
