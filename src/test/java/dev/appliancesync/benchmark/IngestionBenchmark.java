package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedPostgresServer;
import dev.appliancesync.embedded.EmbeddedServices;
import dev.appliancesync.simulator.DeviceSimulator;
import dev.appliancesync.support.Tokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Device ingestion under sustained load, with real MQTT traffic into the service's embedded broker: the
 * {@link DeviceSimulator} runs as a separate JVM (so its CPU is not the service's), first announcing
 * {@code bench.devices} appliances ({@code --provision}), then a warm-up run, then the measured run at
 * {@code bench.rate} messages per second for {@code bench.duration} seconds (shadow update/documents, with a little
 * presence and device events mixed in, as the simulator sends them). {@code bench.subscribers} users each claim
 * {@code bench.claimedPerSubscriber} of the appliances and watch them with {@code applianceState} over a WebSocket, so
 * the updates of those appliances are fanned out too. {@code deviceToAppLatency} runs the same path at 2,000 msg/s
 * ({@code bench.latency.rate}) with 1,000 subscribers, each user watching the one appliance they claimed.
 * <p>
 * Both runs have a baseline in the same run: a {@link PlainMqttSubscriber} on the same broker, subscribed to the
 * watched devices' shadow updates, timed from the same stamp; its CPU per message is the floor for the service's.
 * <p>
 * Prints markdown tables: achieved rates (published, applied, persisted, delivered), ingestion batch sizes, latency
 * from publish to the storing transaction and to the subscriber, and CPU: the service's JVM (which also runs the
 * embedded MQTT broker, and the benchmark's own WebSocket clients, both shown apart), PostgreSQL's processes and the
 * simulator's. Asserts only correctness: every message the broker accepted was applied, every device's shadow ends
 * at the last version it sent, nothing was dead-lettered, every event was stored, every subscriber saw the last
 * version of its appliances. With {@code bench.jfr=true} a JFR recording of the measured window is taken
 * (target/ingestion-benchmark.jfr) and its hottest methods are printed.
 * <p>
 * The service takes whatever the broker sends (see BatchingSubscriber); what the service has not taken yet waits in
 * the broker, up to appliance-sync.embedded.mqtt.max-queued-messages per session, beyond which the embedded HiveMQ
 * drops it (reported, and the check that every message was applied fails).
 * <p>
 * Run: ./mvnw -Pbenchmarks test -Dtest=IngestionBenchmark (or IngestionBenchmark#deviceToAppLatency) [-Dbench.rate=5000] [-Dbench.duration=20]
 * [-Dbench.warmUp=10] [-Dbench.warmUpRate=<bench.rate>] [-Dbench.devices=1000] [-Dbench.provisionRate=200] [-Dbench.connections=4] [-Dbench.subscribers=10]
 * [-Dbench.claimedPerSubscriber=10] [-Dbench.jfr=false]
 */
@QuarkusTest
class IngestionBenchmark {

    /**
     * The traffic and its audience. The warm-up runs at the target rate: at a lower one the JIT was still compiling
     * the delivery path in the measured window (17 s of compilation in a 16 s window at 2,000 msg/s), so the figures
     * were the cold service's. A cold service falls behind at first; the broker queues what it has not taken yet
     * (appliance-sync.embedded.mqtt.max-queued-messages) and the warm-up drains before the measured run starts.
     */
    private record Load(int rate, int duration, int warmUp, int warmUpRate, int devices, int subscribers,
            int claimedPerSubscriber) {

        /** Capacity: 5,000 msg/s from 1,000 devices, 10 users watching 10 each. */
        static Load ingestion() {
            int rate = Integer.getInteger("bench.rate", 5000);
            return new Load(rate, Integer.getInteger("bench.duration", 20), Integer.getInteger("bench.warmUp", 10),
                    Integer.getInteger("bench.warmUpRate", rate), Integer.getInteger("bench.devices", 1000),
                    Integer.getInteger("bench.subscribers", 10), Integer.getInteger("bench.claimedPerSubscriber", 10));
        }

        /** Device to app: 2,000 msg/s from 1,000 devices, each the one appliance of its own subscribed user. */
        static Load deviceToApp() {
            int rate = Integer.getInteger("bench.latency.rate", 2000);
            return new Load(rate, Integer.getInteger("bench.latency.duration", 15), 15, rate, 1000, 1000, 1);
        }

        int claimed() {
            return Math.min(devices, subscribers * claimedPerSubscriber);
        }
    }

    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 4);
    /**
     * Announcements per second (0: as fast as the broker takes them). Paced, as devices coming online are (with the
     * SmallRye connector's default buffer-size of 128, an unpaced burst failed the device channels for good).
     */
    private static final int PROVISION_RATE = Integer.getInteger("bench.provisionRate", 200);
    private static final boolean JFR = Boolean.parseBoolean(System.getProperty("bench.jfr", "false"));
    /** Applying what was sent may take longer than sending it; this long at most. */
    private static final Duration DRAIN = Duration.ofMinutes(5);
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Nothing applied for this long while messages are missing: the ingestion has stopped. */
    private static final Duration STALL = Duration.ofSeconds(10);
    private static final String ALL_STATES = "subscription { applianceState { applianceId version reported } }";
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    MeterRegistry metrics;

    @Inject
    Pool pool;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Threads the benchmark's own WebSocket clients ran on (their CPU is not the service's). */
    private final Set<Long> clientThreads = ConcurrentHashMap.newKeySet();
    private Load load;

    @Test
    void sustainedShadowUpdates() throws Exception {
        Measured run = run(Load.ingestion());
        BenchmarkResults.of(5, "ingestion", "Device ingestion")
                .baseline("a plain MQTT subscriber on the same broker")
                .conditions(("%,d simulated devices (their own JVM, %d MQTT connections, QoS 1) publishing %,d "
                        + "msg/s for %d s after a %d s warm-up, into the embedded broker; the service stores each "
                        + "shadow update and fans the %d watched appliances out to their owners' subscriptions; "
                        + "the baseline subscriber only receives and parses the shadow updates of those %d")
                        .formatted(load.devices(), CONNECTIONS, load.rate(), load.duration(), load.warmUp(),
                                load.claimed(), load.claimed()))
                .figure("publish → stored (the baseline: received) p50", "ms", BenchmarkResults.Better.LOWER,
                        run.toStored().p50(), run.plain().p50())
                .figure("publish → stored (the baseline: received) p99", "ms", BenchmarkResults.Better.LOWER,
                        run.toStored().p99(), run.plain().p99())
                .figure("CPU per 1,000 messages", "core-ms", BenchmarkResults.Better.LOWER,
                        run.serviceCoreMsPerThousand(), run.plainCoreMsPerThousand())
                .detail("shadow updates persisted", "%,.0f/s (%,d older versions coalesced within a batch)"
                        .formatted(run.persistedPerSecond(), run.coalesced()))
                .detail("published", "%,d in %.1f s, all applied: %,.0f msg/s from first publish to last applied"
                        .formatted(run.sent(), run.publishSeconds(), run.appliedPerSecond()))
                .detail("PostgreSQL CPU per 1,000 messages", "%.0f core-ms".formatted(run.postgresCoreMsPerThousand()))
                .write();
    }

    /**
     * Device to app: the same path at 2,000 msg/s with 1,000 subscribers, one appliance each, so every shadow update
     * of a device is one delivery to a GraphQL subscription; the baseline subscribes to all of their shadow updates.
     */
    @Test
    void deviceToAppLatency() throws Exception {
        Measured run = run(Load.deviceToApp());
        BenchmarkResults.of(1, "device-to-app", "Device → app latency")
                .baseline("a plain MQTT subscriber on the same broker")
                .conditions(("%,d simulated devices (their own JVM, %d MQTT connections, QoS 1) publishing %,d msg/s "
                        + "for %d s after a %d s warm-up; each device is the one appliance of its own user, subscribed "
                        + "to `applianceState` over its own WebSocket (%,d subscribers); timed from the device's stamp "
                        + "to receipt, against a plain MQTT subscriber to the same devices' shadow updates")
                        .formatted(load.devices(), CONNECTIONS, load.rate(), load.duration(), load.warmUp(),
                                load.subscribers()))
                .figure("publish → app p50", "ms", BenchmarkResults.Better.LOWER, run.toSubscriber().p50(),
                        run.plain().p50())
                .figure("publish → app p99", "ms", BenchmarkResults.Better.LOWER, run.toSubscriber().p99(),
                        run.plain().p99())
                .detail("deliveries", ("%,d measured (older versions of a shadow in one batch are coalesced, so an "
                        + "app gets the newest)").formatted(run.toSubscriber().count()))
                .write();
    }

    private Measured run(Load load) throws Exception {
        this.load = load;
        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        int postgresPort = EmbeddedServices.find(EmbeddedPostgresServer.class).orElseThrow().port();
        String prefix = "BENCH" + UUID.randomUUID().toString().substring(0, 6).toUpperCase(Locale.ROOT);
        long setupStarted = System.nanoTime();
        Counter messages = metrics.find("appliance_sync.ingest.messages").counter();
        assertThat(messages).as("ingest counter").isNotNull();
        long base = (long) messages.count();

        // ---- setup: devices announce themselves over MQTT; some are claimed by users who watch them --------------
        Simulation provisioning = simulate(broker, prefix, "--provision", "--provision-rate=" + PROVISION_RATE,
                "--duration=0");
        assertThat(provisioning.exitCode).as("simulator (provision) output:%n%s", provisioning.output).isZero();
        awaitCount("select count(*) from appliance where thing_name like $1", load.devices(), prefix + "-%");
        // DeviceIngestion (and its timer) comes to be with the first batch.
        Timer batches = metrics.find("appliance_sync.ingest.batch").timer();
        assertThat(batches).as("ingest batch timer").isNotNull();
        Map<String, UUID> applianceOf = new HashMap<>();
        for (Row row : pool.preparedQuery("select id, thing_name from appliance where thing_name like $1")
                .execute(Tuple.of(prefix + "-%")).await().atMost(BOUND)) {
            applianceOf.put(row.getString("thing_name"), row.getUUID("id"));
        }
        int claimed = load.claimed();
        Map<String, Integer> subscriberOf = new ConcurrentHashMap<>(); // appliance id → subscriber
        BenchmarkAccounts accounts = new BenchmarkAccounts(graphql);
        int watchers = (claimed + load.claimedPerSubscriber() - 1) / load.claimedPerSubscriber();
        List<String> tokens = BenchmarkAccounts.parallel(watchers, 4, s -> {
            String username = Tokens.uniqueUsername("ingest");
            String token = Tokens.forUser(username, username + "@example.com", List.of());
            for (int d = s * load.claimedPerSubscriber() + 1; d <= Math.min(claimed, (s + 1) * load.claimedPerSubscriber()); d++) {
                String serial = DeviceSimulator.thingName(prefix, d);
                accounts.claim(token, serial, DeviceSimulator.claimCode(serial));
                subscriberOf.put(applianceOf.get(serial).toString(), s);
            }
            return token;
        });
        Subscribers subscribers = new Subscribers(graphql, tokens, clientThreads);
        Progress progress = new Progress(messages, batches);
        Measured result;
        try {
            double setupSeconds = (System.nanoTime() - setupStarted) / 1e9;

            // ---- warm-up: the same traffic, not measured ---------------------------------------------------------
            long warmUpStart = 1_000;
            Simulation warmUp = simulate(broker, prefix, "--rate=" + load.warmUpRate(), "--duration=" + load.warmUp(),
                    "--start-version=" + warmUpStart, "--stamp");
            assertThat(warmUp.exitCode).as("simulator (warm-up) output:%n%s", warmUp.output).isZero();
            progress.awaitApplied(base + provisioning.summary.getLong("sent") + warmUp.summary.getLong("sent"),
                    base);
            if (progress.stalled) {
                System.out.printf("%nBENCHMARK ingestion: STALLED in the warm-up at %,d msg/s: %,.0f of %,d messages "
                        + "applied in %,d batches (%.1f per batch), then none for %s%n",
                        load.warmUpRate(), messages.count() - base, provisioning.summary.getLong("sent")
                                + warmUp.summary.getLong("sent"), batches.count(),
                        (messages.count() - base) / Math.max(1, batches.count()), STALL);
                System.out.println("  broker: " + brokerDrops(broker));
            }
            boolean stalledInWarmUp = progress.stalled;
            progress.stalled = false;
            System.out.printf("%nBENCHMARK ingestion setup: %d devices announced, %d claimed by %d subscribers in "
                    + "%.1f s; warm-up %d s at %,d msg/s: %s%n", load.devices(), claimed, tokens.size(), setupSeconds, load.warmUp(),
                    load.warmUpRate(), warmUp.doneLine);

            // ---- measured run ------------------------------------------------------------------------------------
            long measuredStart = 10_000_000;
            subscribers.measuring(measuredStart);
            DevicePathTrace trace = new DevicePathTrace(metrics);
            trace.start();
            JfrProfile profile = JFR ? new JfrProfile() : null;
            AtomicReference<Snapshot> atSending = new AtomicReference<>();
            Map<String, Long> pgBefore = pgStats();
            Map<String, Long> dropsBefore = brokerDrops(broker);
            List<long[]> perSecond = new ArrayList<>();
            double messagesBefore = messages.count();
            long batchesBefore = batches.count();
            double batchMillisBefore = batches.totalTime(TimeUnit.MILLISECONDS);
            Path summaryFile = Files.createTempFile("ingestion-benchmark-", ".json");
            // The baseline, subscribed once the warm-up has drained: everything it gets is the measured run's.
            List<String> watched = IntStream.rangeClosed(1, claimed).mapToObj(d -> DeviceSimulator.thingName(prefix, d))
                    .toList();
            Baseline baseline = new Baseline(broker, watched, measuredStart);
            long baselineCpuBefore = baseline.subscriber.cpuNanos();
            Simulation measured = startSimulation(broker, prefix, line -> {
                if (line.startsWith(DeviceSimulator.SENDING)) {
                    atSending.set(snapshot(postgresPort));
                    if (profile != null) {
                        profile.start();
                    }
                }
            }, "--rate=" + load.rate(), "--duration=" + load.duration(), "--start-version=" + measuredStart, "--stamp",
                    "--summary-file=" + summaryFile);
            // Applied per second while it runs (the counter counts a batch when it starts).
            while (atSending.get() == null && measured.process.isAlive()) {
                Thread.sleep(2);
            }
            double lastCount = messages.count();
            long lastBatches = batches.count();
            long nextSample = System.nanoTime() + 1_000_000_000L;
            while (measured.process.isAlive()) {
                Thread.sleep(Math.max(1, (nextSample - System.nanoTime()) / 1_000_000));
                if (System.nanoTime() >= nextSample) {
                    double count = messages.count();
                    perSecond.add(new long[] { (long) (count - lastCount), batches.count() - lastBatches });
                    lastCount = count;
                    lastBatches = batches.count();
                    nextSample += 1_000_000_000L;
                }
            }
            measured.finish(summaryFile);
            assertThat(measured.exitCode).as("simulator output:%n%s", measured.output).isZero();
            assertThat(atSending.get()).as("the simulator said when it started sending").isNotNull();
            long sent = measured.summary.getLong("sent");
            long appliedAt = progress.awaitApplied((long) messagesBefore + sent, (long) messagesBefore);
            Snapshot after = snapshot(postgresPort);
            Map<String, Long> pgAfter = pgStats();
            if (profile != null) {
                profile.stop();
            }
            long appliedAtMicros = nowMicros() - (System.nanoTime() - appliedAt) / 1_000;
            baseline.awaitLast(measured.summary.getJsonObject("lastVersions"));
            long baselineCpu = baseline.subscriber.cpuNanos() - baselineCpuBefore;
            clientThreads.addAll(baseline.subscriber.threadIds());
            baseline.subscriber.close();
            Snapshot start = atSending.get();
            double cpuWindow = (appliedAt - start.nanos) / 1e9;
            double applied = messages.count() - messagesBefore;
            long batchCount = batches.count() - batchesBefore;
            double batchMillis = batches.totalTime(TimeUnit.MILLISECONDS) - batchMillisBefore;

            // ---- figures -------------------------------------------------------------------------------------------
            long shadowsSent = measured.summary.getLong("shadows");
            List<long[]> rows = new ArrayList<>(); // per DEVICE_STATE entry: tx_id, created_at − sent (µs), subscribed?
            for (Row row : pool.preparedQuery("""
                    select c.tx_id::text::bigint as tx, c.appliance_id,
                           (c.payload -> 'reported' ->> 'sentAtMicros')::bigint as sent_micros,
                           (extract(epoch from c.created_at) * 1000000)::bigint
                               - (c.payload -> 'reported' ->> 'sentAtMicros')::bigint as lag_micros
                    from change_log c join appliance a on a.id = c.appliance_id
                    where c.type = 'DEVICE_STATE' and a.thing_name like $1 and (c.payload ->> 'version')::bigint > $2""")
                    .execute(Tuple.of(prefix + "-%", measuredStart)).await().atMost(BOUND)) {
                rows.add(new long[] { row.getLong("tx"), row.getLong("lag_micros"),
                        subscriberOf.containsKey(row.getUUID("appliance_id").toString()) ? 1 : 0,
                        row.getLong("sent_micros") });
            }
            long firstPublishMicros = rows.stream().mapToLong(r -> r[3]).min().orElse(appliedAtMicros);
            double window = (appliedAtMicros - firstPublishMicros) / 1e6;
            long persisted = rows.size();
            long toSubscribers = rows.stream().filter(r -> r[2] == 1).count();
            long[] toTransaction = rows.stream().mapToLong(r -> r[1]).toArray();
            Map<Long, Long> perTransaction = rows.stream().collect(Collectors.groupingBy(r -> r[0], Collectors.counting()));
            long[] statesPerTransaction = perTransaction.values().stream().mapToLong(Long::longValue).toArray();
            long[] delivered = subscribers.latencies();

            System.out.printf("%nBENCHMARK ingestion: %d devices, target %,d msg/s for %d s after a %d s warm-up at %,d msg/s, "
                    + "%d MQTT connections, QoS 1, embedded HiveMQ; %d of the devices watched by %d `applianceState` "
                    + "subscribers (WebSocket, in this JVM); messages acknowledged after their batch commits%n%n",
                    load.devices(), load.rate(), load.duration(), load.warmUp(), load.warmUpRate(), CONNECTIONS, claimed, tokens.size());
            System.out.println("| measure | value |");
            System.out.println("| --- | --- |");
            System.out.printf("| published (simulator, PUBACKed by the broker) | %,d messages in %.1f s = %,.0f msg/s "
                    + "(%,d shadow updates, %,d presence, %,d events) |%n", sent, measured.summary.getDouble("seconds"),
                    sent / measured.summary.getDouble("seconds"), shadowsSent, measured.summary.getLong("presence"),
                    measured.summary.getLong("events"));
            System.out.printf("| applied by the service (`appliance_sync.ingest.messages`) | %,.0f messages; first "
                    + "publish → last applied %.1f s = **%,.0f msg/s** |%n", applied, window, applied / window);
            System.out.printf("| shadow updates persisted (`device_state` upserts = DEVICE_STATE `change_log` rows) | "
                    + "%,d = **%,.0f /s** (%,d updates of the same shadow in one batch coalesced: only the newest is "
                    + "stored) |%n", persisted, persisted / window, shadowsSent - persisted);
            Map<String, Long> dropsAfter = brokerDrops(broker);
            System.out.printf("| messages the broker dropped (HiveMQ `%s`, all its dropped counters) | %s |%n",
                    "com.hivemq.messages.dropped.count", dropsAfter.keySet().stream()
                            .map(name -> name.replace("com.hivemq.messages.dropped.", "") + " "
                                    + String.format("%,d", dropsAfter.get(name) - dropsBefore.getOrDefault(name, 0L)))
                            .collect(Collectors.joining(", ")));
            System.out.printf("| of which fanned out to a subscriber | %,d stored, %,d delivered |%n", toSubscribers,
                    delivered.length);
            System.out.printf("| ingestion batches (`appliance_sync.ingest.batch`) | %,d; **%.1f messages per batch** "
                    + "on average; %.1f ms per batch on average |%n", batchCount, applied / Math.max(1, batchCount),
                    batchMillis / Math.max(1, batchCount));
            System.out.printf("| DEVICE_STATE rows per transaction | p50 %s, p99 %s, max %s |%n",
                    percentile(statesPerTransaction, 50), percentile(statesPerTransaction, 99),
                    percentile(statesPerTransaction, 100));
            System.out.printf("| PostgreSQL (pg_stat_database, whole window) | %,d commits (%,.0f /s), %,d rows "
                    + "inserted, %,d updated |%n", pgAfter.get("xact_commit") - pgBefore.get("xact_commit"),
                    (pgAfter.get("xact_commit") - pgBefore.get("xact_commit")) / window,
                    pgAfter.get("tup_inserted") - pgBefore.get("tup_inserted"),
                    pgAfter.get("tup_updated") - pgBefore.get("tup_updated"));
            System.out.println();
            System.out.println("| applied per second (first 5, last 5 s of publishing) | messages | batches |");
            System.out.println("| --- | --- | --- |");
            for (int i = 0; i < perSecond.size(); i++) {
                if (i < 5 || i >= perSecond.size() - 5) {
                    System.out.printf("| %d | %,d | %,d |%n", i + 1, perSecond.get(i)[0], perSecond.get(i)[1]);
                }
            }
            System.out.println();
            System.out.println(Samples.HEADER.replace("measurement", "latency"));
            System.out.println(latencyRow("publish → the storing transaction began (`change_log.created_at`)",
                    toTransaction));
            System.out.println(latencyRow("publish → the owner's `applianceState` subscription has it", delivered));
            long[] toBaseline = baseline.latencies();
            System.out.println(latencyRow("baseline: publish → a plain MQTT subscriber on the same broker has it",
                    toBaseline));
            System.out.println();
            System.out.println("Where the time goes inside the service, stage by stage (its `appliance_sync.device_path` "
                    + "timers over the measured window):");
            System.out.println();
            System.out.println(trace.table());

            double serviceCpu = (after.processCpu - start.processCpu) / 1e9;
            Map<String, Long> byGroup = after.cpuByGroup(start, clientThreads);
            long clientCpu = byGroup.getOrDefault("the benchmark's own threads", 0L);
            long brokerCpu = byGroup.entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).contains("hivemq")
                    || e.getKey().startsWith("single-writer")).mapToLong(Map.Entry::getValue).sum();
            double perThousand = 1000.0 / applied;
            System.out.printf("| CPU from 'SENDING' to the last applied (%.1f s) | core-seconds | per 1,000 messages "
                    + "applied | cores used |%n", cpuWindow);
            System.out.println("| --- | --- | --- | --- |");
            System.out.println(cpuRow("**test JVM process** (service + embedded broker + benchmark)",
                    serviceCpu, perThousand, cpuWindow));
            long threadsCpu = byGroup.values().stream().mapToLong(Long::longValue).sum();
            System.out.println(cpuRow("of which the embedded MQTT broker's threads (HiveMQ)", brokerCpu / 1e9,
                    perThousand, cpuWindow));
            System.out.println(cpuRow("of which the benchmark's own threads (WebSocket clients, polling)", clientCpu / 1e9, perThousand,
                    cpuWindow));
            System.out.println(cpuRow("of which not in any Java thread (GC, JIT compiler, VM) or in threads that ended",
                    serviceCpu - threadsCpu / 1e9, perThousand, cpuWindow));
            System.out.printf("| (JIT compilation time %.2f s, GC time %.2f s in the window: CompilationMXBean, "
                    + "GarbageCollectorMXBeans) | | | |%n", (after.jitMillis - start.jitMillis) / 1e3,
                    (after.gcMillis - start.gcMillis) / 1e3);
            double serviceAlone = serviceCpu - (brokerCpu + clientCpu) / 1e9;
            System.out.println(cpuRow("**service alone** (the JVM less broker and benchmark threads)",
                    serviceAlone, perThousand, cpuWindow));
            System.out.println(cpuRow("baseline: a plain MQTT subscriber on the same broker (its event loop)",
                    baselineCpu / 1e9, 1000.0 / baseline.received.get(), cpuWindow));
            System.out.println(cpuRow("PostgreSQL (all its processes)", (after.postgresCpu - start.postgresCpu) / 1e9,
                    perThousand, cpuWindow));
            System.out.println(cpuRow("simulator JVM (publisher, not the service)",
                    measured.cpuNanos / 1e9, 1000.0 / sent, measured.summary.getDouble("seconds")));
            System.out.println();
            System.out.println("| test JVM threads (digits folded) | core-seconds in the window |");
            System.out.println("| --- | --- |");
            byGroup.entrySet().stream().sorted(Map.Entry.<String, Long> comparingByValue().reversed()).limit(12)
                    .forEach(e -> System.out.printf("| %s | %.2f |%n", e.getKey(), e.getValue() / 1e9));
            System.out.println();
            if (profile != null) {
                profile.print(Path.of("target", "ingestion-benchmark.jfr"));
            }
            // ---- correctness (after the figures, so that a failed run still shows them) ---------------------------------------------------------------------------------------
            assertThat(stalledInWarmUp).as("ingestion stalled in the warm-up").isFalse();
            assertThat(progress.stalled).as("ingestion stalled: no message applied for %s, %,.0f of %,d applied",
                    STALL, applied, sent).isFalse();
            assertThat(measured.summary.getLong("acknowledged")).as("PUBACKs").isEqualTo(sent);
            assertThat(measured.summary.getLong("failed")).as("failed publishes").isZero();
            assertThat((long) applied).as("messages applied (QoS 1: a redelivery counts twice)").isGreaterThanOrEqualTo(sent);
            JsonObject lastVersions = measured.summary.getJsonObject("lastVersions");
            Map<String, Long> stored = new HashMap<>();
            for (Row row : pool.preparedQuery("""
                    select a.thing_name, s.shadow_version from device_state s join appliance a on a.id = s.appliance_id
                    where a.thing_name like $1 and s.shadow_name = ''""").execute(Tuple.of(prefix + "-%"))
                    .await().atMost(BOUND)) {
                stored.put(row.getString("thing_name"), row.getLong("shadow_version"));
            }
            List<String> wrong = lastVersions.fieldNames().stream()
                    .filter(thing -> !lastVersions.getLong(thing).equals(stored.get(thing))).sorted().toList();
            assertThat(wrong).as("devices whose stored shadow is not the last version sent (of %d)",
                    lastVersions.size()).isEmpty();
            assertThat(count("select count(*) from dead_letter where topic like $1", "%/" + prefix + "-%"))
                    .as("dead letters").isZero();
            long eventsSent = warmUp.summary.getLong("events") + measured.summary.getLong("events");
            assertThat(count("select count(*) from device_event e join appliance a on a.id = e.appliance_id "
                    + "where a.thing_name like $1", prefix + "-%")).as("device events stored").isEqualTo(eventsSent);
            // Every subscriber ends with the last version of each of its appliances.
            Map<String, Long> expectedLast = new HashMap<>();
            lastVersions.fieldNames().forEach(thing -> {
                UUID id = applianceOf.get(thing);
                if (subscriberOf.containsKey(id.toString())) {
                    expectedLast.put(id.toString(), lastVersions.getLong(thing));
                }
            });
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!subscribers.hasAtLeast(expectedLast) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(subscribers.missing(expectedLast)).as("appliances whose subscriber lacks the last version")
                    .isEmpty();
            assertThat(subscribers.problems).as("subscription problems").isEmpty();

            result = new Measured(nanos(toTransaction), nanos(delivered), nanos(toBaseline),
                    serviceAlone * 1e6 / applied, baselineCpu / 1e3 / baseline.received.get(),
                    (after.postgresCpu - start.postgresCpu) / 1e6 * 1000 / applied, persisted / window,
                    shadowsSent - persisted, sent, measured.summary.getDouble("seconds"), applied / window);
            Files.deleteIfExists(summaryFile);
        } finally {
            progress.close();
            subscribers.close();
        }
        return result;
    }

    /** What one run measured, for the results table. */
    private record Measured(Samples toStored, Samples toSubscriber, Samples plain, double serviceCoreMsPerThousand,
            double plainCoreMsPerThousand, double postgresCoreMsPerThousand, double persistedPerSecond,
            long coalesced, long sent, double publishSeconds, double appliedPerSecond) {
    }

    private static Samples nanos(long[] micros) {
        return Samples.ofNanos(Arrays.stream(micros).map(value -> value * 1_000).toArray());
    }

    /** The embedded HiveMQ's dropped-message counters (read through its metric registry; diagnostics only). */
    private static Map<String, Long> brokerDrops(EmbeddedMqttBroker broker) {
        Map<String, Long> drops = new java.util.TreeMap<>();
        try {
            java.lang.reflect.Field field = EmbeddedMqttBroker.class.getDeclaredField("hivemq");
            field.setAccessible(true);
            com.hivemq.embedded.EmbeddedHiveMQ hivemq = (com.hivemq.embedded.EmbeddedHiveMQ) field.get(broker);
            hivemq.getMetricRegistry().getCounters().forEach((name, counter) -> {
                if (name.startsWith("com.hivemq.messages.dropped")) {
                    drops.put(name, counter.getCount());
                }
            });
        } catch (ReflectiveOperationException | RuntimeException e) {
            drops.put("unknown (" + e + ")", -1L);
        }
        return drops;
    }

    // ---- the simulator as its own process ------------------------------------------------------------------------

    private static final class Simulation {
        Process process;
        final StringBuilder output = new StringBuilder();
        int exitCode = -1;
        String doneLine = "";
        JsonObject summary = new JsonObject();
        long cpuNanos;
        Thread reader;

        void finish(Path summaryFile) throws Exception {
            exitCode = process.waitFor(2, TimeUnit.MINUTES) ? process.exitValue() : -1;
            reader.join(5_000);
            if (summaryFile != null && Files.size(summaryFile) > 0) {
                summary = new JsonObject(Files.readString(summaryFile));
            }
        }
    }

    private Simulation simulate(EmbeddedMqttBroker broker, String prefix, String... options) throws Exception {
        Path summaryFile = Files.createTempFile("ingestion-benchmark-", ".json");
        try {
            String[] all = Arrays.copyOf(options, options.length + 1);
            all[options.length] = "--summary-file=" + summaryFile;
            Simulation simulation = startSimulation(broker, prefix, line -> { }, all);
            simulation.finish(summaryFile);
            return simulation;
        } finally {
            Files.deleteIfExists(summaryFile);
        }
    }

    /** Starts the simulator with the test classpath and the current java; {@code onLine} sees each output line. */
    private Simulation startSimulation(EmbeddedMqttBroker broker, String prefix,
            java.util.function.Consumer<String> onLine, String... options) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only: the publisher is not what is measured, and on 2 cores a fresh JVM's C2 compilations take CPU from
        // the service in the measured window.
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"),
                DeviceSimulator.class.getName(), "--host=" + broker.host(), "--port=" + broker.port(),
                "--aws-prefix=aws", "--thing-prefix=" + prefix, "--devices=" + load.devices(),
                "--connections=" + CONNECTIONS, "--qos=1", "--seed=42"));
        command.addAll(List.of(options));
        Simulation simulation = new Simulation();
        simulation.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        simulation.reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(simulation.process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (simulation.output) {
                        simulation.output.append(line).append('\n');
                    }
                    if (line.startsWith(DeviceSimulator.DONE)) {
                        simulation.doneLine = line;
                        long pid = simulation.process.pid();
                        simulation.cpuNanos = ticks(pid, true) * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
                    }
                    if (!line.startsWith("WARNING")) {
                        System.out.println("  [simulator] " + line);
                    }
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "simulator-output");
        simulation.reader.setDaemon(true);
        simulation.reader.start();
        return simulation;
    }

    // ---- waiting for the service --------------------------------------------------------------------------------

    /** Watches the ingest counter and batch timer: when each last changed. */
    private static final class Progress implements AutoCloseable {
        private final Counter messages;
        private final Timer batches;
        private final Thread thread;
        private volatile long lastMessageChange = System.nanoTime();
        private volatile long lastBatchChange = System.nanoTime();
        private volatile boolean closed;
        volatile boolean stalled;

        Progress(Counter messages, Timer batches) {
            this.messages = messages;
            this.batches = batches;
            this.thread = new Thread(this::watch, "ingest-progress");
            thread.setDaemon(true);
            thread.start();
        }

        private void watch() {
            double count = messages.count();
            long batchCount = batches.count();
            while (!closed) {
                long now = System.nanoTime();
                if (messages.count() != count) {
                    count = messages.count();
                    lastMessageChange = now;
                }
                if (batches.count() != batchCount) {
                    batchCount = batches.count();
                    lastBatchChange = now;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /**
         * Waits until the service counted {@code expected} messages and the batch that counted the last of them ended
         * (the counter counts a batch as it starts, the timer when it ends); returns when that was (nanos).
         */
        long awaitApplied(long expected, long from) throws InterruptedException {
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (messages.count() < expected || lastBatchChange < lastMessageChange
                    || System.nanoTime() - lastBatchChange < 200_000_000L) {
                if (messages.count() < expected && System.nanoTime() - lastMessageChange > STALL.toNanos()) {
                    stalled = true;
                    System.out.printf("STALLED: %,.0f of %,d messages applied, none for %s%n",
                            messages.count() - from, expected - from, STALL);
                    return lastBatchChange;
                }
                assertThat(System.nanoTime()).as("%,.0f of %,d messages applied within %s", messages.count() - from,
                        expected - from, DRAIN).isLessThan(deadline);
                Thread.sleep(5);
            }
            return lastBatchChange;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private void awaitCount(String sql, long expected, Object... parameters) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos() * 2;
        long seen;
        while ((seen = count(sql, parameters)) < expected) {
            assertThat(System.nanoTime()).as("%d of %d: %s", seen, expected, sql).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private long count(String sql, Object... parameters) {
        return pool.preparedQuery(sql).execute(Tuple.from(parameters)).await().atMost(BOUND).iterator().next().getLong(0);
    }

    private Map<String, Long> pgStats() {
        Row row = pool.query("select xact_commit, tup_inserted, tup_updated from pg_stat_database "
                + "where datname = current_database()").execute().await().atMost(BOUND).iterator().next();
        Map<String, Long> stats = new HashMap<>();
        for (String column : List.of("xact_commit", "tup_inserted", "tup_updated")) {
            stats.put(column, row.getLong(column));
        }
        return stats;
    }

    // ---- CPU ------------------------------------------------------------------------------------------------------

    /** The benchmark's threads besides its WebSocket clients' event loops. */
    private static final Set<String> OWN_THREADS = Set.of("main", "ingest-progress", "simulator-output");

    private record Snapshot(long nanos, long processCpu, Map<Long, String> names, Map<Long, Long> threadCpu,
            long postgresCpu, long jitMillis, long gcMillis) {

        /** CPU nanos per thread group (name with digits folded) since {@code start}. */
        Map<String, Long> cpuByGroup(Snapshot start, Set<Long> clientThreads) {
            Map<String, Long> groups = new LinkedHashMap<>();
            threadCpu.forEach((id, cpu) -> {
                String name = names.get(id);
                String group = clientThreads.contains(id) || OWN_THREADS.contains(name) ? "the benchmark's own threads"
                        : name.replaceAll("\\d+", "#");
                groups.merge(group, cpu - start.threadCpu.getOrDefault(id, 0L), Long::sum);
            });
            return groups;
        }
    }

    private Snapshot snapshot(int postgresPort) {
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long time = threads.getThreadCpuTime(info.getThreadId());
                if (time >= 0) {
                    names.put(info.getThreadId(), info.getThreadName());
                    cpu.put(info.getThreadId(), time);
                }
            }
        }
        long gcMillis = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
        return new Snapshot(System.nanoTime(), os.getProcessCpuTime(), names, cpu, postgresCpu(postgresPort),
                ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), gcMillis);
    }

    /** User + system CPU of the embedded PostgreSQL: its postmaster (with reaped children) and live backends. */
    private static long postgresCpu(int port) {
        String portText = Integer.toString(port);
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false)
                        && p.info().arguments().map(args -> Arrays.asList(args).contains(portText)).orElse(false))
                .mapToLong(postmaster -> ticks(postmaster.pid(), true)
                        + postmaster.descendants().mapToLong(child -> ticks(child.pid(), false)).sum())
                .sum() * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    private static long ticks(long pid, boolean withChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime 14, stime 15, cutime 16, cstime 17
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return withChildren ? ticks + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : ticks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    // ---- subscribers: one WebSocket per user, applianceState for all of their appliances -------------------------

    /**
     * A {@link PlainMqttSubscriber} on the shadow documents of the watched devices (a tenth of the traffic: a second
     * subscriber to all of it doubles the embedded broker's work, and on 2 cores the broker then drops for both): how
     * many it received, each measured update's latency from the simulator's stamp, the newest version per device.
     */
    private static final class Baseline {
        final PlainMqttSubscriber subscriber;
        final AtomicLong received = new AtomicLong();
        private final List<String> things;
        private final Map<String, Long> newest = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();

        Baseline(EmbeddedMqttBroker broker, List<String> things, long measuredAbove) throws Exception {
            this.things = List.copyOf(things);
            List<String> topics = things.stream().map(thing -> "aws/things/" + thing + "/shadow/update/documents")
                    .toList();
            subscriber = new PlainMqttSubscriber(broker.host(), broker.port(), topics, (topic, payload) -> {
                long now = nowMicros();
                received.incrementAndGet();
                JsonObject current = new JsonObject(payload).getJsonObject("current");
                JsonObject reported = current.getJsonObject("state").getJsonObject("reported");
                long version = current.getLong("version");
                newest.merge(topic.split("/")[2], version, Math::max);
                if (version > measuredAbove && reported.containsKey("sentAtMicros")) {
                    latencies.add(now - reported.getLong("sentAtMicros"));
                }
            });
        }

        /** Waits (bounded) until it has the last version of every device in {@code lastVersions} it watches. */
        void awaitLast(JsonObject lastVersions) throws InterruptedException {
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!missing(lastVersions).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(missing(lastVersions)).as("devices whose last version the plain subscriber lacks").isEmpty();
        }

        private List<String> missing(JsonObject lastVersions) {
            return things.stream().filter(lastVersions::containsKey)
                    .filter(thing -> newest.getOrDefault(thing, -1L) < lastVersions.getLong(thing)).toList();
        }

        long[] latencies() {
            return latencies.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private static final class Subscribers implements AutoCloseable {
        private final Vertx vertx = Vertx.vertx();
        private final Queue<WebSocket> sockets = new ConcurrentLinkedQueue<>();
        private final Map<String, Long> newest = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        private final AtomicLong measuredAbove = new AtomicLong(Long.MAX_VALUE);

        Subscribers(URI graphql, List<String> tokens, Set<Long> clientThreads) throws Exception {
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(tokens.size() + 1).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
            // A few handshakes at a time: a thousand at once would time out on 2 cores, one by one takes minutes.
            Semaphore handshakes = new Semaphore(16);
            List<CompletableFuture<Void>> subscribed = new ArrayList<>();
            for (String token : tokens) {
                assertThat(handshakes.tryAcquire(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("handshakes").isTrue();
                CompletableFuture<Void> acknowledged = new CompletableFuture<>();
                acknowledged.whenComplete((ignored, failure) -> handshakes.release());
                subscribed.add(acknowledged);
                client.connect(new WebSocketConnectOptions().setHost(graphql.getHost())
                        .setPort(graphql.getPort()).setURI(graphql.getPath()).addSubProtocol("graphql-transport-ws")
                        .addHeader("Authorization", "Bearer " + token)).onComplete(connected -> {
                            if (connected.failed()) {
                                acknowledged.completeExceptionally(connected.cause());
                            } else {
                                start(connected.result(), acknowledged, clientThreads);
                            }
                        });
            }
            for (CompletableFuture<Void> each : subscribed) {
                each.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        /** connection_init; on connection_ack, subscribes and completes {@code acknowledged}. */
        private void start(WebSocket socket, CompletableFuture<Void> acknowledged, Set<Long> clientThreads) {
            sockets.add(socket);
            socket.textMessageHandler(text -> {
                long receivedMicros = nowMicros();
                clientThreads.add(Thread.currentThread().threadId());
                JsonObject message = new JsonObject(text);
                switch (message.getString("type", "")) {
                    case "connection_ack" -> {
                        socket.writeTextMessage(new JsonObject().put("id", "s").put("type", "subscribe")
                                .put("payload", new JsonObject().put("query", ALL_STATES)).encode());
                        acknowledged.complete(null);
                    }
                    case "ping" -> socket.writeTextMessage("{\"type\":\"pong\"}");
                    case "next" -> onState(message, receivedMicros);
                    default -> problems.add(text);
                }
            });
            socket.closeHandler(ignored -> problems.add("closed: " + socket.closeStatusCode() + " "
                    + socket.closeReason()));
            socket.writeTextMessage("{\"type\":\"connection_init\"}");
        }

        private void onState(JsonObject message, long receivedMicros) {
            JsonObject payload = message.getJsonObject("payload");
            if (payload == null || payload.getValue("errors") != null) {
                problems.add(message.encode());
                return;
            }
            JsonObject state = payload.getJsonObject("data").getJsonObject("applianceState");
            long version = state.getLong("version");
            newest.merge(state.getString("applianceId"), version, Math::max);
            if (version > measuredAbove.get()) {
                String reported = state.getValue("reported").toString();
                int at = reported.indexOf("\"sentAtMicros\":");
                if (at >= 0) {
                    int from = at + "\"sentAtMicros\":".length();
                    int to = from;
                    while (to < reported.length() && Character.isDigit(reported.charAt(to))) {
                        to++;
                    }
                    latencies.add(receivedMicros - Long.parseLong(reported.substring(from, to)));
                }
            }
        }

        void measuring(long aboveVersion) {
            measuredAbove.set(aboveVersion);
        }

        boolean hasAtLeast(Map<String, Long> expected) {
            return missing(expected).isEmpty();
        }

        List<String> missing(Map<String, Long> expected) {
            return expected.entrySet().stream()
                    .filter(e -> newest.getOrDefault(e.getKey(), -1L) < e.getValue())
                    .map(e -> e.getKey() + " has " + newest.get(e.getKey()) + ", last sent " + e.getValue()).toList();
        }

        long[] latencies() {
            return latencies.stream().mapToLong(Long::longValue).toArray();
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return ChronoUnit.MICROS.between(Instant.EPOCH, now);
    }

    // ---- figures ----------------------------------------------------------------------------------------------------

    private static String percentile(long[] values, int p) {
        if (values.length == 0) {
            return "-";
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return Long.toString(sorted[Math.min(sorted.length - 1, sorted.length * p / 100)]);
    }

    private static String latencyRow(String label, long[] micros) {
        return micros.length == 0 ? "| " + label + " | 0 | - | - | - | - |" : nanos(micros).row(label);
    }

    private static String cpuRow(String label, double coreSeconds, double perThousandFactor, double seconds) {
        return String.format("| %s | %.2f | %.3f | %.2f |", label, coreSeconds, coreSeconds * perThousandFactor,
                coreSeconds / seconds);
    }
}
