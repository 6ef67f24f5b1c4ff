package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.Appliances;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The fan-out ceiling: deliveries per CPU-second of the service, against two baselines in the same run: a bare Vert.x
 * WebSocket server broadcasting the same bytes to the same connections, and the Node.js peer ({@link NodePeer}).
 * <p>
 * {@code bench.subscribers} users, each on their own graphql-transport-ws connection with {@code applianceState} (all
 * their appliances), {@code bench.perAppliance} (default and at most 50, an appliance's share limit) per appliance:
 * its owner and FAMILY recipients. Every round records a new state of every appliance ({@code bench.writes=concurrent},
 * the default, all at once; {@code sequential}, one commit after the other) and waits until every subscriber has it;
 * {@code bench.blocks} blocks of {@code bench.rounds} rounds are measured after {@code bench.warmUpRounds}. Each delivery
 * is timed from just before its {@code record()} to its receipt.
 * <p>
 * The baseline then holds the same number of connections from the same clients, grouped the same way, and each round
 * writes to every connection of a group the very frame the service sent for that appliance in that round (captured
 * from the service's run): no authentication, no access check, no GraphQL, one encoding per group.
 * <p>
 * The Node.js peer then serves the same subscribers (same tokens, same document) from one Node process: graphql-js +
 * graphql-ws 6 + ws, every subscriber's selection executed for every event, an access check per delivery (the same
 * grants, in a map), no storage. Each round publishes every appliance's new state to it (one message each on one
 * WebSocket, as the service's side records each); its frames must carry exactly the service's payloads.
 * <p>
 * The three sides hold their connections at the same time and take turns, a block of rounds each: the service's block
 * k, then the bare server's, then the Node peer's, then block k + 1. A 30-round window is a few CPU-seconds, and the
 * same commit measured from 7,983 to 14,371 deliveries per CPU-second when each side ran once, one after the other:
 * whatever slowed the machine for a while slowed one side only. Taking turns puts such a stretch into a block of each
 * side, and each side's figure is the median of its blocks; the table prints the blocks' range and the ratio per block.
 * <p>
 * CPU is this JVM's (process CPU time) over a block, less the clients' threads (their event loops, measured
 * per thread); for the Node peer, its own process's ({@code process.cpuUsage()}: user + system, all threads). The
 * other sides' connections are open and idle meanwhile. The service's side therefore includes storing each state, reading the change feed, deciding access and
 * executing each subscriber's selection; the embedded PostgreSQL's CPU is not in it. Asserts that every delivery
 * arrived exactly once, in order, within the bound, on every side. With {@code bench.jfr=true} the service's first
 * measured block is recorded (target/fan-out-benchmark.jfr) and its hottest methods printed.
 * <p>
 * Run: ./mvnw -Pbenchmarks test -Dtest=FanOutBenchmark [-Dbench.subscribers=1000] [-Dbench.rounds=30]
 * [-Dbench.blocks=5] [-Dbench.warmUpRounds=10] [-Dbench.perAppliance=50] [-Dbench.writes=concurrent|sequential] [-Dbench.jfr=false]
 */
@QuarkusTest
class FanOutBenchmark {

    private static final int SUBSCRIBERS = Integer.getInteger("bench.subscribers", 1000);
    /** Rounds per block. */
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 30);
    /** Measured blocks per side, taken in turns (see above). */
    private static final int BLOCKS = Math.max(1, Integer.getInteger("bench.blocks", 5));
    private static final int MEASURED_ROUNDS = ROUNDS * BLOCKS;
    /** Enough for the JIT to have compiled the delivery path: with 3, it still was in the measured rounds. */
    private static final int WARM_UP_ROUNDS = Integer.getInteger("bench.warmUpRounds", 10);
    private static final boolean JFR = Boolean.parseBoolean(System.getProperty("bench.jfr", "false"));
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
     * concurrent (default): a round starts every appliance's write at once, as devices reporting together would;
     * sequential: one after the other, each awaited before the next starts.
     */
    private static final boolean CONCURRENT_WRITES = !"sequential".equals(System.getProperty("bench.writes"));
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String BARE = "bare Vert.x";
    private static final String NODE = "Node peer";
    private static final Duration SETUP_BOUND = Duration.ofSeconds(30);
    private static final String ALL_STATES = "subscription { applianceState { applianceId version reported } }";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Every side's clients' event-loop threads: their CPU is not a server's. */
    private final Set<Long> clientThreads = ConcurrentHashMap.newKeySet();

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    MeterRegistry metrics;

    @Inject
    Pool pool;

    /** Starts one appliance's write of one round; the future completes when it is done (stored, or written out). */
    private interface Write {
        CompletableFuture<?> start(int appliance, int round) throws Exception;
    }

    /** A server's CPU time so far, in nanoseconds. */
    private interface CpuClock {
        long nanos() throws Exception;
    }

    /** What one block of rounds of one side cost and took. */
    private record Block(long cpuNanos, long wallNanos, long deliveries) {

        double perCpuSecond() {
            return deliveries / (cpuNanos / 1e9);
        }
    }

    /** What the measured blocks of one side cost and took. */
    private record Measured(List<Block> blocks, Samples latency, Samples roundTime) {

        /** The median block's: see the class comment for why not the whole. */
        double perCpuSecond() {
            return median(blocks.stream().mapToDouble(Block::perCpuSecond).toArray());
        }

        double minPerCpuSecond() {
            return blocks.stream().mapToDouble(Block::perCpuSecond).min().orElseThrow();
        }

        double maxPerCpuSecond() {
            return blocks.stream().mapToDouble(Block::perCpuSecond).max().orElseThrow();
        }

        long deliveries() {
            return blocks.stream().mapToLong(Block::deliveries).sum();
        }

        long cpuNanos() {
            return blocks.stream().mapToLong(Block::cpuNanos).sum();
        }

        double perSecond() {
            return deliveries() / (blocks.stream().mapToLong(Block::wallNanos).sum() / 1e9);
        }

        /** This side's block k against {@code baseline}'s block k, which ran right after it. */
        double[] ratiosTo(Measured baseline) {
            double[] ratios = new double[blocks.size()];
            for (int k = 0; k < ratios.length; k++) {
                ratios[k] = blocks.get(k).perCpuSecond() / baseline.blocks().get(k).perCpuSecond();
            }
            return ratios;
        }
    }

    /** One server under test: its subscribers, its CPU, and how a round's write reaches it. */
    private record Side(String label, Audience audience, CpuClock cpu, Write write) {
    }

    @Test
    void deliveriesPerCpuSecond() throws Exception {
        int applianceCount = (SUBSCRIBERS + PER_APPLIANCE - 1) / PER_APPLIANCE;
        long setupStarted = System.nanoTime();

        // Setup (not measured): users, one MINI_OVEN per owner, shared with the next users (FAMILY), state version 1.
        BenchmarkAccounts setup = new BenchmarkAccounts(graphql);
        List<BenchmarkAccounts.Account> accounts = BenchmarkAccounts.parallel(SUBSCRIBERS, SETUP_THREADS,
                i -> setup.signIn("fan" + i));
        UUID[] appliances = new UUID[applianceCount];
        for (int a = 0; a < applianceCount; a++) {
            appliances[a] = UUID.fromString(Appliances.claimed(accounts.get(a * PER_APPLIANCE).token(), "MINI_OVEN").id());
        }
        BenchmarkAccounts.parallel(SUBSCRIBERS, SETUP_THREADS, i -> {
            if (i % PER_APPLIANCE != 0) {
                setup.shareWith(accounts.get(i / PER_APPLIANCE * PER_APPLIANCE),
                        appliances[i / PER_APPLIANCE].toString(), accounts.get(i), "FAMILY");
            }
            return null;
        });
        for (UUID appliance : appliances) {
            assertThat(record(appliance, 0).get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("state stored").isTrue();
        }
        System.out.printf("BENCHMARK fan-out setup: %d users, %d appliances, shares in %.1f s%n", SUBSCRIBERS,
                applianceCount, (System.nanoTime() - setupStarted) / 1e9);

        // ---- the three sides, connected together, then taking turns --------------------------------------------------
        Audience service = new Audience(appliances);
        Audience bare = new Audience(appliances);
        Audience node = new Audience(appliances);
        Set<Integer> sizes = ConcurrentHashMap.newKeySet();
        Timer lag = metrics.find("appliance_sync.realtime.delivery_lag").timer();
        long lagCountBefore = lag == null ? 0 : lag.count();
        double lagMsBefore = lag == null ? 0 : lag.totalTime(TimeUnit.MILLISECONDS);
        Measured served;
        Measured broadcast;
        Measured peered;
        double sliceMaxMs;
        try (GraphQLClients serviceClients = new GraphQLClients(graphql, SUBSCRIBERS + 10);
                // The bare server's first frame is the service's first item, known once the service's side is in place.
                BareWebSocketServer server = new BareWebSocketServer(a -> service.frame(a, -1));
                GraphQLClients bareClients = new GraphQLClients(server.graphql(), SUBSCRIBERS + 10);
                NodePeer peer = NodePeer.start();
                GraphQLClients nodeClients = new GraphQLClients(peer.graphql(), SUBSCRIBERS + 10)) {
            List<GraphQLClients.Connection> connections = new ArrayList<>(service.connect(serviceClients, accounts,
                    i -> null));
            connections.addAll(bare.connect(bareClients, accounts,
                    i -> new JsonObject().put("a", appliances[i / PER_APPLIANCE].toString())));
            peer.access(peerAccess(accounts, appliances));
            for (UUID appliance : appliances) {
                assertThat(peer.publish(peerState(appliance, 0)).get(BOUND.toMillis(), TimeUnit.MILLISECONDS))
                        .as("subscriptions before any connected").isZero();
            }
            connections.addAll(node.connect(nodeClients, accounts, i -> null));

            // The service first in every turn: the bare server writes the frames the service sent in the same round.
            List<Side> sides = List.of(
                    new Side("service", service, this::jvmCpuLessClients, (a, r) -> {
                        CompletableFuture<Boolean> stored = record(appliances[a], r + 1);
                        return stored.thenAccept(ok -> assertThat(ok).as("state stored").isTrue());
                    }),
                    new Side(BARE, bare, this::jvmCpuLessClients, (a, r) -> {
                        String frame = service.frame(appliances[a].toString(), r);
                        sizes.add(frame.length());
                        assertThat(server.broadcast(appliances[a].toString(), frame))
                                .as("connections of appliance %d", a)
                                .isEqualTo(Math.min(PER_APPLIANCE, SUBSCRIBERS - a * PER_APPLIANCE));
                        return CompletableFuture.completedFuture(null);
                    }),
                    new Side(NODE, node, peer::cpuNanos, (a, r) -> peer.publish(peerState(appliances[a], r + 1))
                            .thenAccept(offered -> assertThat(offered).as("subscriptions of appliance %d", a)
                                    .isEqualTo(Math.min(PER_APPLIANCE, SUBSCRIBERS - a * PER_APPLIANCE)))));
            for (Side side : sides) {
                side.audience().run(0, WARM_UP_ROUNDS, side.write());
            }
            JfrProfile profile = JFR ? new JfrProfile() : null;
            for (int k = 0; k < BLOCKS; k++) {
                int from = WARM_UP_ROUNDS + k * ROUNDS;
                for (Side side : sides) {
                    JfrProfile recording = side.audience() == service && k == 0 ? profile : null;
                    side.audience().measure(from, from + ROUNDS, side.cpu(), side.write(), recording);
                }
            }
            for (Side side : sides) {
                side.audience().assertNothingElseArrives();
            }
            // Read before the connections close: Micrometer's max is of the last two minutes or so.
            Timer slices = metrics.find(ServiceMetrics.REALTIME_DELIVERY_SLICE).timer();
            sliceMaxMs = slices == null ? Double.NaN : slices.max(TimeUnit.MILLISECONDS);
            connections.forEach(GraphQLClients.Connection::close);
            if (profile != null) {
                profile.print(Path.of("target", "fan-out-benchmark.jfr"));
            }
            served = service.measured();
            broadcast = bare.measured();
            peered = node.measured();
        }
        long lagCount = lag == null ? 0 : lag.count() - lagCountBefore;
        double lagMs = lag == null ? 0 : lag.totalTime(TimeUnit.MILLISECONDS) - lagMsBefore;

        for (UUID appliance : appliances) {
            for (int r = -1; r < WARM_UP_ROUNDS + MEASURED_ROUNDS; r++) {
                assertThat(new JsonObject(node.frame(appliance.toString(), r)))
                        .as("the Node peer's frame of %s in round %d: the service's payload", appliance, r)
                        .isEqualTo(new JsonObject(service.frame(appliance.toString(), r)));
            }
        }

        System.out.printf("%nBENCHMARK fan-out: %d subscribers (one connection each) on %d appliances (owner + up to "
                + "%d FAMILY), %d blocks of %d rounds after %d warm-up, the sides taking turns a block each, each round "
                + "a new state of every appliance, written %s; frames of %s characters%n%n", SUBSCRIBERS,
                applianceCount, PER_APPLIANCE - 1, BLOCKS, ROUNDS, WARM_UP_ROUNDS,
                CONCURRENT_WRITES ? "concurrently" : "one after the other", sizes);
        System.out.println("| side | deliveries | CPU (core-s) | deliveries per CPU-second (median block) | blocks' range "
                + "| deliveries per second | delivery p50 | p99 | round p50 | round max |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        System.out.println(row("appliance-sync (`record()` → subscriber)", served));
        System.out.println(row("bare Vert.x broadcast of the same frames", broadcast));
        System.out.println(row("Node.js peer (graphql-js + graphql-ws + ws, per subscriber)", peered));
        System.out.printf("%nPer block, the service's deliveries per CPU-second against the Node peer's: %s; against "
                + "the bare server's: %s%n", ratios(served.ratiosTo(peered)), ratios(served.ratiosTo(broadcast)));
        if (lagCount > 0) {
            System.out.printf("%nServer `appliance_sync.realtime.delivery_lag` (a change's transaction start → offered "
                    + "to every subscriber) during the service's rounds: %d changes, mean %.1f ms%n", lagCount,
                    lagMs / lagCount);
        }
        System.out.printf("Server `appliance_sync.realtime.delivery_slice` max (the longest the delivery held its event "
                + "loop in one turn, over about the last two minutes of the service's rounds): %.1f ms%n", sliceMaxMs);
        System.out.println();

        BenchmarkResults.of(2, "fan-out", "Fan-out ceiling")
                .baseline(NODE, "one Node.js process, graphql-js + graphql-ws 6 + ws, executing each subscriber's "
                        + "selection, an access check per delivery, no storage")
                .baseline(BARE, "a bare Vert.x WebSocket server writing the same frames to the same connections")
                .conditions(("%,d subscribers, one graphql-transport-ws connection each, %d per appliance (owner and "
                        + "FAMILY), %d blocks of %d rounds (after %d warm-up), the three sides connected together and "
                        + "taking turns a block each, each round storing a new state of all %d appliances at once "
                        + "and awaiting every delivery; deliveries per CPU-second is the median block's; CPU is the "
                        + "JVM's less the clients' threads, over the block; the bare Vert.x server writes the "
                        + "frames the service sent in the same round; "
                        + "the Node peer gets each new state as a message on one WebSocket (one per appliance and round, "
                        + "counted in its CPU, which is its own process's); every side's deliveries checked exactly "
                        + "once, the Node peer's "
                        + "payloads equal to the service's")
                        .formatted(SUBSCRIBERS, PER_APPLIANCE, BLOCKS, ROUNDS, WARM_UP_ROUNDS, applianceCount))
                .figure("deliveries per CPU-second", "/s", BenchmarkResults.Better.HIGHER, served.perCpuSecond(),
                        BenchmarkResults.against(NODE, peered.perCpuSecond()),
                        BenchmarkResults.against(BARE, broadcast.perCpuSecond()))
                .figure("delivery p50", "ms", BenchmarkResults.Better.LOWER, served.latency().p50(),
                        BenchmarkResults.against(NODE, peered.latency().p50()),
                        BenchmarkResults.against(BARE, broadcast.latency().p50()))
                .figure("delivery p99", "ms", BenchmarkResults.Better.LOWER, served.latency().p99(),
                        BenchmarkResults.against(NODE, peered.latency().p99()),
                        BenchmarkResults.against(BARE, broadcast.latency().p99()))
                .detail("deliveries per second achieved (2 cores, clients included)", "%,.0f; %s %,.0f; %s %,.0f"
                        .formatted(served.perSecond(), NODE, peered.perSecond(), BARE, broadcast.perSecond()))
                .detail("deliveries per CPU-second, blocks' range", "%,.0f–%,.0f; %s %,.0f–%,.0f; %s %,.0f–%,.0f"
                        .formatted(served.minPerCpuSecond(), served.maxPerCpuSecond(), NODE, peered.minPerCpuSecond(),
                                peered.maxPerCpuSecond(), BARE, broadcast.minPerCpuSecond(),
                                broadcast.maxPerCpuSecond()))
                .detail("ratio per block to the Node peer", ratios(served.ratiosTo(peered)))
                .write();
    }

    /** A server in this JVM: the process's CPU time less the clients' threads (the other side's idle ones too). */
    private long jvmCpuLessClients() {
        return OS.getProcessCpuTime()
                - clientThreads.stream().mapToLong(THREADS::getThreadCpuTime).filter(t -> t >= 0).sum();
    }

    /** The Node peer's users and grants: the same tokens, each user's appliance with the role the service has. */
    private static JsonObject peerAccess(List<BenchmarkAccounts.Account> accounts, UUID[] appliances) {
        JsonObject tokens = new JsonObject();
        JsonObject grants = new JsonObject();
        for (int i = 0; i < accounts.size(); i++) {
            BenchmarkAccounts.Account account = accounts.get(i);
            tokens.put(account.token(), account.id());
            grants.put(account.id(), new JsonObject().put(appliances[i / PER_APPLIANCE].toString(),
                    i % PER_APPLIANCE == 0 ? "OWNER" : "FAMILY"));
        }
        return new JsonObject().put("tokens", tokens).put("grants", grants);
    }

    /** What {@link #record} stores for {@code round}, as the ApplianceState the Node peer publishes. */
    private static JsonObject peerState(UUID appliance, int round) {
        return new JsonObject().put("applianceId", appliance.toString()).put("version", round + 1)
                .put("reported", new JsonObject().put("status", "round-" + round))
                .put("desired", new JsonObject().put("targetCelsius", 180 + round)).put("shadowName", "")
                .put("updatedAt", java.time.Instant.now().toString()).putNull("reportedAt");
    }

    private CompletableFuture<Boolean> record(UUID appliance, int round) {
        return states.record(appliance, "", new JsonObject().put("status", "round-" + round),
                new JsonObject().put("targetCelsius", 180 + round), round + 1, null)
                .subscribeAsCompletionStage();
    }

    /**
     * The subscribers of one side: their connections, what each received (version {@code v} of its appliance is
     * round {@code v − 2}; version 1 is the first item, when the subscription is in place), and the frames received,
     * one per appliance and version, to be sent again by the baseline.
     */
    private final class Audience {
        private final String[] applianceOf = new String[SUBSCRIBERS];
        private final int allRounds = WARM_UP_ROUNDS + MEASURED_ROUNDS;
        private final long[][] received = new long[SUBSCRIBERS][allRounds];
        private final long[][] writtenAt;
        private final long[] roundTime = new long[MEASURED_ROUNDS];
        private final List<Block> blocks = new ArrayList<>();
        /** Each written by its connection's event loop only. */
        private final boolean[] subscribed = new boolean[SUBSCRIBERS];
        private final CountDownLatch ready = new CountDownLatch(SUBSCRIBERS);
        private final CountDownLatch[] delivered = new CountDownLatch[allRounds];
        private final Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
        private final Queue<String> problems = new ConcurrentLinkedQueue<>();
        /** appliance id → the frames of its versions 1..allRounds+1, from its owner's connection. */
        private final ConcurrentHashMap<String, String[]> frames = new ConcurrentHashMap<>();
        private final UUID[] appliances;

        Audience(UUID[] appliances) {
            this.appliances = appliances;
            this.writtenAt = new long[appliances.length][allRounds];
            for (int i = 0; i < SUBSCRIBERS; i++) {
                applianceOf[i] = appliances[i / PER_APPLIANCE].toString();
            }
            Arrays.setAll(delivered, r -> new CountDownLatch(SUBSCRIBERS));
        }

        /** The frame that carried version {@code round + 2} of {@code appliance} (round −1: the first item). */
        String frame(String appliance, int round) {
            String frame = frames.get(appliance)[round + 1];
            assertThat(frame).as("the service's frame of %s in round %d", appliance, round).isNotNull();
            return frame;
        }

        /** Opens every subscriber's connection and subscription; returns once each had its first item. */
        List<GraphQLClients.Connection> connect(GraphQLClients clients, List<BenchmarkAccounts.Account> accounts,
                IntFunction<JsonObject> variablesOf) throws Exception {
            long started = System.nanoTime();
            List<CompletableFuture<GraphQLClients.Connection>> opened = new ArrayList<>(SUBSCRIBERS);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                int subscriber = i;
                assertThat(connecting.tryAcquire(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS))
                        .as("subscriptions in place within %s; problems: %s", SETUP_BOUND, problems).isTrue();
                CompletableFuture<GraphQLClients.Connection> connection = clients.connect(accounts.get(i).token())
                        .thenApply(ws -> {
                            ws.handler = (nanos, message) -> on(subscriber, nanos, message);
                            ws.subscribe("s", ALL_STATES, variablesOf.apply(subscriber));
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
            List<GraphQLClients.Connection> connections = new ArrayList<>(SUBSCRIBERS);
            for (CompletableFuture<GraphQLClients.Connection> connection : opened) {
                connections.add(connection.get(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS));
            }
            assertThat(ready.await(SETUP_BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("%d of %d subscriptions had their first item; problems: %s", SUBSCRIBERS - ready.getCount(),
                            SUBSCRIBERS, problems).isTrue();
            System.out.printf("BENCHMARK fan-out: %d connections subscribed in %.1f s%n", SUBSCRIBERS,
                    (System.nanoTime() - started) / 1e9);
            return connections;
        }

        /** Runs rounds {@code from} to {@code to} (exclusive), unmeasured: the warm-up. */
        void run(int from, int to, Write write) throws Exception {
            for (int r = from; r < to; r++) {
                round(r, write);
            }
        }

        /**
         * Runs rounds {@code from} to {@code to} (exclusive), each awaited until all subscribers have it, as one
         * measured block, with {@code serverCpu} (and recorded in {@code profile}, if given).
         */
        void measure(int from, int to, CpuClock serverCpu, Write write, JfrProfile profile) throws Exception {
            if (profile != null) {
                profile.start();
            }
            long cpuBefore = serverCpu.nanos();
            long wallBefore = System.nanoTime();
            for (int r = from; r < to; r++) {
                round(r, write);
                int round = r;
                long first = Arrays.stream(writtenAt).mapToLong(at -> at[round]).min().orElseThrow();
                long last = Arrays.stream(received).mapToLong(at -> at[round]).max().orElseThrow();
                roundTime[r - WARM_UP_ROUNDS] = last - first;
            }
            long cpu = serverCpu.nanos() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            if (profile != null) {
                profile.stop();
            }
            blocks.add(new Block(cpu, wall, (long) SUBSCRIBERS * (to - from)));
        }

        private void round(int r, Write write) throws Exception {
            List<CompletableFuture<?>> writes = new ArrayList<>(appliances.length);
            for (int a = 0; a < appliances.length; a++) {
                writtenAt[a][r] = System.nanoTime();
                CompletableFuture<?> started = write.start(a, r);
                if (!CONCURRENT_WRITES) {
                    started.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                }
                writes.add(started);
            }
            for (CompletableFuture<?> each : writes) {
                each.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            }
            boolean complete = delivered[r].await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            if (!complete) {
                explainMissing(r);
            }
            assertThat(complete).as("round %d: %d of %d deliveries within %s; problems: %s", r,
                    SUBSCRIBERS - delivered[r].getCount(), SUBSCRIBERS, BOUND, problems).isTrue();
        }

        /** The measured blocks, with every measured delivery's latency. */
        Measured measured() {
            long[] latency = new long[SUBSCRIBERS * MEASURED_ROUNDS];
            int n = 0;
            for (int i = 0; i < SUBSCRIBERS; i++) {
                for (int r = WARM_UP_ROUNDS; r < allRounds; r++) {
                    latency[n++] = received[i][r] - writtenAt[i / PER_APPLIANCE][r];
                }
            }
            return new Measured(List.copyOf(blocks), Samples.ofNanos(latency), Samples.ofNanos(roundTime));
        }

        /** Anything extra (a duplicate, a late error) shows up within a second of the last round. */
        void assertNothingElseArrives() throws InterruptedException {
            long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (problems.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(problems).as("unexpected messages or closes").isEmpty();
        }

        /** One message to subscriber {@code i}, on its connection's event loop; {@code nanos} taken on receipt. */
        private void on(int i, long nanos, JsonObject message) {
            clientThreads.add(Thread.currentThread().threadId());
            JsonObject payload = message.getJsonObject("payload");
            if (!"next".equals(message.getString("type")) || payload == null || payload.getValue("errors") != null) {
                problems.add("subscriber " + i + ": " + message.encode());
                return;
            }
            JsonObject state = payload.getJsonObject("data").getJsonObject("applianceState");
            int version = state.getInteger("version");
            if (!applianceOf[i].equals(state.getString("applianceId"))) {
                problems.add("subscriber " + i + " got another appliance: " + message.encode());
                return;
            }
            if (version < 1 || version > allRounds + 1) {
                problems.add("subscriber " + i + " got unexpected version " + version);
                return;
            }
            if (i % PER_APPLIANCE == 0) {
                frames.computeIfAbsent(applianceOf[i], a -> new String[allRounds + 1])[version - 1] = message.encode();
            }
            if (version == 1) {
                if (subscribed[i]) {
                    problems.add("subscriber " + i + " got version 1 twice");
                    return;
                }
                subscribed[i] = true;
                ready.countDown();
                connecting.release();
            } else if (received[i][version - 2] != 0) {
                problems.add("subscriber " + i + " got version " + version + " twice");
            } else {
                received[i][version - 2] = nanos;
                delivered[version - 2].countDown();
            }
        }

        /** Which appliances' state of round {@code r} did not arrive, and how their change-log entries were ordered. */
        private void explainMissing(int r) {
            int[] missing = new int[appliances.length];
            for (int i = 0; i < SUBSCRIBERS; i++) {
                if (received[i][r] == 0) {
                    missing[i / PER_APPLIANCE]++;
                }
            }
            System.out.printf("%nRound %d (version %d) incomplete. DEVICE_STATE entries of this version in change_log "
                    + "order (seq, tx_id, appliance, deliveries missing):%n", r, r + 2);
            var rows = pool.preparedQuery("select seq, tx_id::text as tx, appliance_id, created_at from change_log "
                    + "where type = 'DEVICE_STATE' and (payload->>'version')::bigint = $1 order by seq")
                    .execute(Tuple.of(r + 2)).await().atMost(BOUND);
            List<UUID> order = Arrays.asList(appliances);
            for (var row : rows) {
                int a = order.indexOf(row.getUUID("appliance_id"));
                if (a >= 0) {
                    System.out.printf("  seq %d  tx_id %s  appliance #%d  %s  missing %d%n", row.getLong("seq"),
                            row.getString("tx"), a, row.getOffsetDateTime("created_at"), missing[a]);
                }
            }
        }
    }

    private static String row(String label, Measured m) {
        return String.format("| %s | %,d | %.2f | %,.0f | %,.0f–%,.0f | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms |",
                label, m.deliveries(), m.cpuNanos() / 1e9, m.perCpuSecond(), m.minPerCpuSecond(), m.maxPerCpuSecond(),
                m.perSecond(), m.latency().p50(), m.latency().p99(), m.roundTime().p50(), m.roundTime().max());
    }

    private static String ratios(double[] ratios) {
        return Arrays.stream(ratios).mapToObj(r -> String.format("%.3f", r))
                .collect(java.util.stream.Collectors.joining(", ")) + String.format(" (median %.3f)", median(ratios));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
