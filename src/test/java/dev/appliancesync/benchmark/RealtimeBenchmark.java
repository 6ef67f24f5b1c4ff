package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Live delivery, measured end to end through real WebSockets (graphql-transport-ws) in the service's own JVM, so the
 * clocks of sender and receiver are the same {@link System#nanoTime()}. Prints a markdown table per measurement;
 * asserts only that every expected message arrived, in time and exactly once.
 * <ol>
 * <li>Revocation cut-off: a guest's {@code applianceState(applianceId:)} subscription, from just before the owner's
 * {@code revokeShare} request is sent to the guest's receipt of ACCESS_REVOKED ({@code bench.revocations} trials,
 * one after the other, after {@value #REVOCATION_WARM_UP} unmeasured ones).</li>
 * <li>Fan-out: {@code bench.subscribers} users, each on their own connection with {@code applianceState} (all their
 * appliances), {@code bench.perAppliance} (default and at most 50, an appliance's share limit) per appliance: its
 * owner and FAMILY recipients. Every round records a new state of every appliance ({@code bench.writes=concurrent},
 * the default, all at once; {@code sequential}, one commit after the other) and measures each delivery from just
 * before its {@code record()} to its receipt ({@code bench.rounds} rounds after {@code bench.warmUpRounds} unmeasured
 * ones).</li>
 * </ol>
 * Run: ./mvnw -Pbenchmarks test -Dtest=RealtimeBenchmark [-Dbench.revocations=200] [-Dbench.subscribers=1000]
 * [-Dbench.rounds=20] [-Dbench.perAppliance=50] [-Dbench.writes=concurrent|sequential]
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealtimeBenchmark {

    private static final int REVOCATIONS = Integer.getInteger("bench.revocations", 200);
    private static final int REVOCATION_WARM_UP = 10;
    private static final int SUBSCRIBERS = Integer.getInteger("bench.subscribers", 1000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 20);
    private static final int WARM_UP_ROUNDS = Integer.getInteger("bench.warmUpRounds", 2);
    /** Setup threads (sign-ins, shares); the service has 20 database connections and the machine 2 cores. */
    private static final int SETUP_THREADS = Integer.getInteger("bench.setupThreads", 4);
    /** WebSocket handshakes (upgrade + connection_init + subscribe + first item) in flight at once. */
    private static final int CONNECTING_AT_ONCE = 16;
    /**
     * Subscribers per appliance: the owner and FAMILY recipients. At most 50 (an appliance's share limit is 50 active
     * recipients); fewer means more appliances, i.e. more device states written at once per round.
     */
    private static final int PER_APPLIANCE = Math.min(50, Integer.getInteger("bench.perAppliance", 50));
    /**
     * concurrent (default): a round starts every appliance's record() at once, as devices reporting together would;
     * sequential: one after the other, each awaited (its commit) before the next starts.
     */
    private static final boolean CONCURRENT_WRITES = !"sequential".equals(System.getProperty("bench.writes"));
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration SETUP_BOUND = Duration.ofSeconds(30);

    private static final String STATE_OF = "subscription($a: ID) { applianceState(applianceId: $a) { version } }";
    private static final String ALL_STATES = "subscription { applianceState { applianceId version reported } }";
    private static final String REVOKE = "mutation($s: ID!) { revokeShare(shareId: $s) { status } }";
    private static final String SHARE = """
            mutation($a: ID!, $e: String!, $r: Role!) {
              shareAppliance(applianceId: $a, recipientEmail: $e, role: $r) { share { id } } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    MeterRegistry metrics;

    @Inject
    Pool pool;

    private BenchmarkAccounts setup;

    @BeforeEach
    void setUp() {
        setup = new BenchmarkAccounts(graphql);
    }

    // ---- 1. revocation cut-off -------------------------------------------------------------------------------------

    @Test
    @Order(1)
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

        System.out.printf("%nBENCHMARK realtime revocation: %d trials after %d warm-up, one at a time, one guest "
                + "subscription on a shared MINI_OVEN%n%n", REVOCATIONS, REVOCATION_WARM_UP);
        System.out.println(HEADER);
        System.out.println(row("revocation cut-off: `revokeShare` sent → guest receives ACCESS_REVOKED", cutOff));
        System.out.println(row("`revokeShare` round trip", mutation));
        System.out.println(row("cut-off after the mutation returned", afterMutation));
        System.out.println(row("baseline: `renameAppliance` sent → the guest's `changes` has it", ordinary));
        System.out.println();

        Samples revocation = Samples.ofNanos(cutOff);
        Samples baseline = Samples.ofNanos(ordinary);
        Samples afterResponse = Samples.ofNanos(afterMutation);
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

    // ---- 2. fan-out ------------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void fanOut() throws Exception {
        int applianceCount = (SUBSCRIBERS + PER_APPLIANCE - 1) / PER_APPLIANCE;
        long setupStarted = System.nanoTime();

        // Setup (not measured): users, one MINI_OVEN per owner, shared with the next users (FAMILY), state version 1.
        List<BenchmarkAccounts.Account> accounts = parallel(SUBSCRIBERS, i -> setup.signIn("fan" + i));
        String[] applianceOf = new String[SUBSCRIBERS];
        UUID[] appliances = new UUID[applianceCount];
        for (int a = 0; a < applianceCount; a++) {
            BenchmarkAccounts.Account owner = accounts.get(a * PER_APPLIANCE);
            appliances[a] = UUID.fromString(Appliances.claimed(owner.token(), "MINI_OVEN").id());
        }
        parallel(SUBSCRIBERS, i -> {
            int a = i / PER_APPLIANCE;
            applianceOf[i] = appliances[a].toString();
            if (i % PER_APPLIANCE != 0) {
                setup.shareWith(accounts.get(a * PER_APPLIANCE), applianceOf[i], accounts.get(i), "FAMILY");
            }
            return null;
        });
        for (UUID appliance : appliances) {
            record(appliance, 1, "idle");
        }
        double setupUsers = seconds(System.nanoTime() - setupStarted);

        int allRounds = WARM_UP_ROUNDS + ROUNDS;
        long[][] received = new long[SUBSCRIBERS][allRounds];
        boolean[] subscribed = new boolean[SUBSCRIBERS]; // each written by its connection's event loop only
        CountDownLatch ready = new CountDownLatch(SUBSCRIBERS);
        CountDownLatch[] delivered = new CountDownLatch[allRounds];
        Arrays.setAll(delivered, r -> new CountDownLatch(SUBSCRIBERS));
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        long connectStarted = System.nanoTime();

        try (GraphQLClients clients = new GraphQLClients(graphql, SUBSCRIBERS + 10)) {
            List<GraphQLClients.Connection> connections = new ArrayList<>(SUBSCRIBERS);
            // At most CONNECTING_AT_ONCE handshakes in flight; a place frees up once a subscription had its first item.
            Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
            List<CompletableFuture<GraphQLClients.Connection>> opened = new ArrayList<>(SUBSCRIBERS);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                int subscriber = i;
                assertThat(connecting.tryAcquire(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS))
                        .as("subscriptions in place within %s; problems: %s", SETUP_BOUND, problems).isTrue();
                CompletableFuture<GraphQLClients.Connection> connection = clients.connect(accounts.get(i).token()).thenApply(ws -> {
                    ws.handler = (nanos, message) -> onFanOutMessage(subscriber, applianceOf[subscriber], nanos,
                            message, received, subscribed, ready, connecting, delivered, problems);
                    ws.subscribe("s", ALL_STATES, null);
                    return ws;
                });
                connection.whenComplete((ws, failure) -> {
                    if (failure != null) {
                        problems.add("subscriber " + subscriber + " could not connect: " + failure);
                        connecting.release();
                    }
                });
                opened.add(connection);
            }
            for (CompletableFuture<GraphQLClients.Connection> connection : opened) {
                connections.add(connection.get(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS));
            }
            assertThat(ready.await(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("%d of %d subscriptions had their first item; problems: %s", SUBSCRIBERS - ready.getCount(),
                            SUBSCRIBERS, problems).isTrue();
            double setupConnections = seconds(System.nanoTime() - connectStarted);
            System.out.printf("BENCHMARK realtime fan-out setup: %d users, %d appliances, shares in %.1f s; "
                    + "%d connections subscribed in %.1f s%n", SUBSCRIBERS, applianceCount, setupUsers, SUBSCRIBERS,
                    setupConnections);

            // Measured: every round records a new state of every appliance (at once, unless bench.writes=sequential).
            Timer lag = metrics.find("appliance_sync.realtime.delivery_lag").timer();
            long lagCount = 0;
            double lagTotalMs = 0;
            long[][] recordedAt = new long[applianceCount][allRounds];
            long[] roundTime = new long[ROUNDS];
            for (int r = 0; r < allRounds; r++) {
                if (r == WARM_UP_ROUNDS && lag != null) {
                    Thread.sleep(200); // the server times a change after offering it to every subscriber
                    lagCount = lag.count();
                    lagTotalMs = lag.totalTime(TimeUnit.MILLISECONDS);
                }
                long version = r + 2;
                List<CompletableFuture<Boolean>> writes = new ArrayList<>(applianceCount);
                for (int a = 0; a < applianceCount; a++) {
                    JsonObject reported = new JsonObject().put("status", "round-" + r);
                    JsonObject desired = new JsonObject().put("targetCelsius", 180 + r);
                    recordedAt[a][r] = System.nanoTime();
                    CompletableFuture<Boolean> write = states.record(appliances[a], "", reported, desired, version,
                            null).subscribeAsCompletionStage();
                    if (!CONCURRENT_WRITES) {
                        write.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    writes.add(write);
                }
                for (CompletableFuture<Boolean> write : writes) {
                    assertThat(write.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("state stored").isTrue();
                }
                boolean complete = delivered[r].await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                if (!complete) {
                    explainMissing(r, version, appliances, received);
                }
                assertThat(complete).as("round %d: %d of %d deliveries within %s; problems: %s", r,
                        SUBSCRIBERS - delivered[r].getCount(), SUBSCRIBERS, BOUND, problems).isTrue();
                if (r >= WARM_UP_ROUNDS) {
                    long first = Long.MAX_VALUE;
                    long last = 0;
                    for (int a = 0; a < applianceCount; a++) {
                        first = Math.min(first, recordedAt[a][r]);
                    }
                    for (int i = 0; i < SUBSCRIBERS; i++) {
                        last = Math.max(last, received[i][r]);
                    }
                    roundTime[r - WARM_UP_ROUNDS] = last - first;
                }
            }
            Thread.sleep(1_000); // anything extra (a duplicate, a late error) would show up now
            assertThat(problems).as("unexpected messages or closes").isEmpty();

            long[] latency = new long[SUBSCRIBERS * ROUNDS];
            int n = 0;
            for (int i = 0; i < SUBSCRIBERS; i++) {
                int a = i / PER_APPLIANCE;
                for (int r = WARM_UP_ROUNDS; r < allRounds; r++) {
                    latency[n++] = received[i][r] - recordedAt[a][r];
                }
            }
            System.out.printf("%nBENCHMARK realtime fan-out: %d subscribers (one connection each) on %d appliances "
                    + "(owner + up to %d FAMILY), %d rounds after %d warm-up, each round a new state of every appliance, "
                    + "written %s%n%n", SUBSCRIBERS, applianceCount, PER_APPLIANCE - 1, ROUNDS, WARM_UP_ROUNDS,
                    CONCURRENT_WRITES ? "concurrently" : "one after the other");
            System.out.println(HEADER);
            System.out.println(row("fan-out: `record()` → subscriber receives the state (each delivery)", latency));
            System.out.println(row("fan-out round: first `record()` → last subscriber has it", roundTime));
            if (lag != null) {
                long count = lag.count() - lagCount;
                double mean = count == 0 ? 0 : (lag.totalTime(TimeUnit.MILLISECONDS) - lagTotalMs) / count;
                HistogramSnapshot snapshot = lag.takeSnapshot();
                String p50 = "-";
                String p99 = "-";
                for (ValueAtPercentile value : snapshot.percentileValues()) {
                    if (value.percentile() == 0.5) {
                        p50 = String.format("%.1f ms", value.value(TimeUnit.MILLISECONDS));
                    } else if (value.percentile() == 0.99) {
                        p99 = String.format("%.1f ms", value.value(TimeUnit.MILLISECONDS));
                    }
                }
                System.out.printf("| server timer `appliance_sync.realtime.delivery_lag`: per change, its created_at "
                        + "(transaction start) → offered to all subscribers (Micrometer's approximate p50/p99/max "
                        + "over its last ~2 min) "
                        + "| %d | %s | - | %s | %.1f ms |%n", count, p50, p99, snapshot.max(TimeUnit.MILLISECONDS));
                System.out.printf("%nServer delivery_lag over the measured rounds: %d changes, mean %.1f ms%n", count,
                        mean);
            }
            System.out.println();
            connections.forEach(GraphQLClients.Connection::close);
        }
    }

    /** Which appliances' state of round {@code r} did not arrive, and how their change-log entries were ordered. */
    private void explainMissing(int r, long version, UUID[] appliances, long[][] received) {
        int[] missing = new int[appliances.length];
        for (int i = 0; i < SUBSCRIBERS; i++) {
            if (received[i][r] == 0) {
                missing[i / PER_APPLIANCE]++;
            }
        }
        System.out.printf("%nRound %d (version %d) incomplete. DEVICE_STATE entries of this version in change_log "
                + "order (seq, tx_id, appliance, deliveries missing):%n", r, version);
        var rows = pool.preparedQuery("select seq, tx_id::text as tx, appliance_id, created_at from change_log "
                        + "where type = 'DEVICE_STATE' and (payload->>'version')::bigint = $1 order by seq")
                .execute(Tuple.of(version)).await().atMost(BOUND);
        List<UUID> order = Arrays.asList(appliances);
        for (var row : rows) {
            int a = order.indexOf(row.getUUID("appliance_id"));
            if (a >= 0) {
                System.out.printf("  seq %d  tx_id %s  appliance #%d  %s  missing %d of %d%n", row.getLong("seq"),
                        row.getString("tx"), a, row.getOffsetDateTime("created_at"), missing[a],
                        Math.min(PER_APPLIANCE, SUBSCRIBERS - a * PER_APPLIANCE));
            }
        }
    }

    /**
     * One message to fan-out subscriber {@code i}; runs on its connection's event loop (always the same thread),
     * {@code nanos} taken on receipt.
     */
    private static void onFanOutMessage(int i, String appliance, long nanos, JsonObject message, long[][] received,
            boolean[] subscribed, CountDownLatch ready, Semaphore connecting, CountDownLatch[] delivered,
            Queue<String> problems) {
        String type = message.getString("type");
        JsonObject payload = message.getJsonObject("payload");
        if (!"next".equals(type) || payload == null || payload.getValue("errors") != null) {
            problems.add("subscriber " + i + ": " + message.encode());
            return;
        }
        JsonObject state = payload.getJsonObject("data").getJsonObject("applianceState");
        int version = state.getInteger("version");
        if (!appliance.equals(state.getString("applianceId"))) {
            problems.add("subscriber " + i + " got another appliance: " + message.encode());
        } else if (version == 1) {
            if (subscribed[i]) {
                problems.add("subscriber " + i + " got version 1 twice");
                return;
            }
            subscribed[i] = true;
            ready.countDown();
            connecting.release();
        } else if (version - 2 < 0 || version - 2 >= received[i].length) {
            problems.add("subscriber " + i + " got unexpected version " + version);
        } else if (received[i][version - 2] != 0) {
            problems.add("subscriber " + i + " got version " + version + " twice");
        } else {
            received[i][version - 2] = nanos;
            delivered[version - 2].countDown();
        }
    }

    // ---- setup ------------------------------------------------------------------------------------------------------

    private void record(UUID appliance, long version, String status) {
        assertThat(states.record(appliance, "", new JsonObject().put("status", status),
                new JsonObject().put("targetCelsius", 180), version, null).await().atMost(BOUND)).isTrue();
    }

    private static <T> List<T> parallel(int count, BenchmarkAccounts.Task<T> task) throws Exception {
        return BenchmarkAccounts.parallel(count, SETUP_THREADS, task);
    }

    // ---- figures ---------------------------------------------------------------------------------------------------

    private static final String HEADER = """
            | measurement | n | p50 | p95 | p99 | max |
            | --- | --- | --- | --- | --- | --- |""";

    /** Percentiles as in AppliancesQueryBenchmark: the value at index n·p/100 of the sorted sample. */
    private static String row(String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return String.format("| %s | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |", label, n, ms(sorted[n / 2]),
                ms(sorted[Math.min(n - 1, n * 95 / 100)]), ms(sorted[Math.min(n - 1, n * 99 / 100)]),
                ms(sorted[n - 1]));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static double seconds(long nanos) {
        return nanos / 1_000_000_000.0;
    }
}
