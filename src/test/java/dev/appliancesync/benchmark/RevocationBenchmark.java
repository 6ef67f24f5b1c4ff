package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Revocation cut-off, measured end to end through real WebSockets (graphql-transport-ws) in the service's own JVM, so
 * the clocks of sender and receiver are the same {@link System#nanoTime()}: a guest's
 * {@code applianceState(applianceId:)} subscription, from just before the owner's {@code revokeShare} request is sent
 * to the guest's receipt of ACCESS_REVOKED ({@code bench.revocations} trials, one after the other, after
 * {@value #REVOCATION_WARM_UP} unmeasured ones). The baseline, interleaved: an ordinary change (the owner renames
 * another appliance shared with the guest) reaching the same guest. Prints a markdown table; asserts that every
 * expected message arrived, in time and exactly once.
 * <p>
 * Run: ./mvnw -Pbenchmarks test -Dtest=RevocationBenchmark [-Dbench.revocations=200]
 */
@QuarkusTest
class RevocationBenchmark {

    private static final int REVOCATIONS = Integer.getInteger("bench.revocations", 200);
    private static final int REVOCATION_WARM_UP = 10;
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration SETUP_BOUND = Duration.ofSeconds(30);

    private static final String STATE_OF = "subscription($a: ID) { applianceState(applianceId: $a) { version } }";
    private static final String REVOKE = "mutation($s: ID!) { revokeShare(shareId: $s) { status } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    private BenchmarkAccounts setup;

    @BeforeEach
    void setUp() {
        setup = new BenchmarkAccounts(graphql);
    }

    @Test
    void revocationCutOff() throws Exception {
        BenchmarkAccounts.Account owner = setup.signIn("rev-owner");
        BenchmarkAccounts.Account guest = setup.signIn("rev-guest");
        String appliance = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        record(UUID.fromString(appliance), 1, "idle"); // the subscription's first item: it is in place
        // The baseline: an ordinary change reaching the same guest, on an appliance shared with them for good.
        String kept = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        setup.shareWith(owner, kept, guest, "FAMILY");
        int trials = REVOCATION_WARM_UP + REVOCATIONS;
        long[] cutOff = new long[REVOCATIONS];
        long[] mutation = new long[REVOCATIONS];
        long[] afterMutation = new long[REVOCATIONS];
        long[] ordinary = new long[REVOCATIONS];

        try (GraphQLClients clients = new GraphQLClients(graphql, 4)) {
            GraphQLClients.Connection ws = clients.connect(guest.token()).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            RenameWatch renames = new RenameWatch(clients.connect(guest.token())
                    .get(BOUND.toMillis(), TimeUnit.MILLISECONDS), kept);
            renames.awaitInPlace(owner);
            for (int trial = 0; trial < trials; trial++) {
                String share = setup.shareWith(owner, appliance, guest, "GUEST");
                String id = "r" + trial;
                ws.subscribe(id, STATE_OF, new JsonObject().put("a", appliance));
                JsonObject first = ws.next(id);
                assertThat(first.getString("type")).isEqualTo("next");
                assertThat(first.getJsonObject("payload").getJsonObject("data").getJsonObject("applianceState")
                        .getInteger("version")).as("first item of trial %d", trial).isEqualTo(1);

                long sent = System.nanoTime();
                JsonObject revoked = setup.post(owner.token(), REVOKE, new JsonObject().put("s", share));
                long returned = System.nanoTime();
                assertThat(revoked.getValue("errors")).as("revokeShare errors").isNull();
                assertThat(revoked.getJsonObject("data").getJsonObject("revokeShare").getString("status"))
                        .isEqualTo("REVOKED");

                GraphQLClients.Received end = ws.nextReceived(id);
                JsonArray errors = end.message().getJsonObject("payload") == null ? null
                        : end.message().getJsonObject("payload").getJsonArray("errors");
                assertThat(errors).as("trial %d: expected ACCESS_REVOKED, got %s", trial, end.message()).isNotNull();
                assertThat(errors.getJsonObject(0).getJsonObject("extensions").getString("code"))
                        .as("trial %d", trial).isEqualTo("ACCESS_REVOKED");
                assertThat(ws.next(id).getString("type")).isEqualTo("complete");
                long renamed = renames.timeOne(owner, "trial " + trial);
                if (trial >= REVOCATION_WARM_UP) {
                    int i = trial - REVOCATION_WARM_UP;
                    cutOff[i] = end.nanos() - sent;
                    mutation[i] = returned - sent;
                    afterMutation[i] = end.nanos() - returned;
                    ordinary[i] = renamed;
                }
            }
            assertThat(ws.problems).as("unexpected messages or closes").isEmpty();
            assertThat(renames.connection.problems).as("unexpected closes of the baseline connection").isEmpty();
        }

        Samples revocation = Samples.ofNanos(cutOff);
        Samples baseline = Samples.ofNanos(ordinary);
        Samples afterResponse = Samples.ofNanos(afterMutation);
        System.out.printf("%nBENCHMARK realtime revocation: %d trials after %d warm-up, one at a time, one guest "
                + "subscription on a shared MINI_OVEN%n%n", REVOCATIONS, REVOCATION_WARM_UP);
        System.out.println(Samples.HEADER);
        System.out.println(revocation.row("revocation cut-off: `revokeShare` sent → guest receives ACCESS_REVOKED"));
        System.out.println(Samples.ofNanos(mutation).row("`revokeShare` round trip"));
        System.out.println(afterResponse.row("cut-off after the mutation returned"));
        System.out.println(baseline.row("baseline: `renameAppliance` sent → the guest's `changes` has it"));
        System.out.println();

        BenchmarkResults.of(6, "revocation", "Revocation cut-off")
                .baseline("an ordinary change reaching the same guest")
                .conditions(("%d revocations one at a time (after %d warm-up), each ending a guest's `applianceState` "
                        + "subscription, timed from sending `revokeShare` (its commit included) to `ACCESS_REVOKED` "
                        + "on the guest's socket; interleaved with the baseline, the owner's `renameAppliance` of "
                        + "another appliance shared with the guest, timed from sending it to the guest's `changes` "
                        + "subscription receiving it").formatted(REVOCATIONS, REVOCATION_WARM_UP))
                .figure("p50", "ms", BenchmarkResults.Better.LOWER, revocation.p50(), baseline.p50())
                .figure("p99", "ms", BenchmarkResults.Better.LOWER, revocation.p99(), baseline.p99())
                .detail("cut-off after the owner had the mutation's response", "p50 %.1f ms, p99 %.1f ms"
                        .formatted(afterResponse.p50(), afterResponse.p99()))
                .write();
    }

    /**
     * The guest's {@code changes} subscription on its own connection, reduced to the renames of one appliance: the
     * revocation trials' own share events go to it too.
     */
    private final class RenameWatch {
        private static final String CHANGES = "subscription { changes { type applianceId data } }";
        private static final String RENAME = "mutation($a: ID!, $n: String!) { renameAppliance(applianceId: $a, name: $n) { name } }";

        private final GraphQLClients.Connection connection;
        private final String appliance;
        /** Renames the guest saw; {@link #timeOne} matches them by name, so a late one never answers a later rename. */
        private final BlockingQueue<GraphQLClients.Received> renames = new LinkedBlockingQueue<>();
        private int count;

        RenameWatch(GraphQLClients.Connection connection, String appliance) {
            this.connection = connection;
            this.appliance = appliance;
            connection.handler = (nanos, message) -> {
                JsonObject payload = message.getJsonObject("payload");
                JsonObject change = payload == null || payload.getJsonObject("data") == null ? null
                        : payload.getJsonObject("data").getJsonObject("changes");
                if (change == null) {
                    connection.problems.add("baseline subscription: " + message.encode());
                } else if ("APPLIANCE_RENAMED".equals(change.getString("type"))
                        && appliance.equals(change.getString("applianceId"))) {
                    renames.add(new GraphQLClients.Received(nanos, message));
                }
            };
            connection.subscribe("c", CHANGES, null);
        }

        /** The protocol does not say when a subscription is in place: renames until one arrives (bounded). */
        void awaitInPlace(BenchmarkAccounts.Account owner) throws InterruptedException {
            long deadline = System.nanoTime() + SETUP_BOUND.toNanos();
            while (System.nanoTime() < deadline) {
                rename(owner);
                if (renames.poll(1, TimeUnit.SECONDS) != null) {
                    return;
                }
            }
            throw new AssertionError("the guest's changes subscription received no rename within " + SETUP_BOUND);
        }

        /** One rename, from sending it to the guest's receipt, in nanoseconds. */
        long timeOne(BenchmarkAccounts.Account owner, String what) throws InterruptedException {
            long sent = System.nanoTime();
            String name = rename(owner);
            long deadline = sent + BOUND.toNanos();
            while (true) {
                GraphQLClients.Received received = renames.poll(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                assertThat(received).as("%s: the rename reached the guest's changes within %s; problems: %s", what,
                        BOUND, connection.problems).isNotNull();
                String data = received.message().getJsonObject("payload").getJsonObject("data")
                        .getJsonObject("changes").getString("data"); // JSON is sent as a string, like AWSJSON
                if (name.equals(new JsonObject(data).getString("name"))) {
                    return received.nanos() - sent;
                }
            }
        }

        private String rename(BenchmarkAccounts.Account owner) {
            String name = "Kept " + ++count;
            JsonObject renamed = setup.post(owner.token(), RENAME, new JsonObject().put("a", appliance).put("n", name));
            assertThat(renamed.getValue("errors")).as("renameAppliance: %s", renamed).isNull();
            return name;
        }
    }

    // ---- setup ------------------------------------------------------------------------------------------------------

    private void record(UUID appliance, long version, String status) {
        assertThat(states.record(appliance, "", new JsonObject().put("status", status),
                new JsonObject().put("targetCelsius", 180), version, null).await().atMost(BOUND)).isTrue();
    }
}
