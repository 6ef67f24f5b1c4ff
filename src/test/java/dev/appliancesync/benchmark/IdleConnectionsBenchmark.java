package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.internal.PlatformDependent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * Memory per idle subscribed connection: {@code bench.idle.connections} (10,000) graphql-transport-ws connections,
 * {@value #PER_USER} per user (the service's default per-user limit), each with a {@code changes} subscription, then
 * idle. The clients run in a JVM of their own ({@link IdleConnectionsClient}); this JVM runs the service, so its heap
 * (used, after a full GC) and direct memory (NIO buffers and Netty's own) before and after, divided by the
 * connections, are what one idle subscriber costs the service. Baselines, same run, same clients: a bare Vert.x
 * WebSocket server in this JVM that answers {@code connection_init} and holds the connection, measured the same way;
 * and the Node.js peer ({@link NodePeer}: graphql-ws holding the same subscriptions, the same tokens), measured in
 * its own process the same way ({@code process.memoryUsage()} after full GCs: {@code heapUsed} as heap,
 * {@code external} as direct). Asserts every connection was acknowledged, the service and the Node peer count every
 * subscription, and all were still open at the end.
 * <p>
 * Run: ./mvnw -Pbenchmarks test -Dtest=IdleConnectionsBenchmark [-Dbench.idle.connections=10000]
 */
@QuarkusTest
@TestProfile(IdleConnectionsBenchmark.OwnInstance.class)
class IdleConnectionsBenchmark {

    /**
     * A service of its own: 10,000 subscriptions arriving together saturate its database pool for minutes (see
     * docs/benchmarks.md, #3), and the benchmarks that share the default test instance must not inherit that.
     */
    public static class OwnInstance implements QuarkusTestProfile {
        /** All connect at once: more wait for connection_init, and for longer, than the defaults allow. */
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("appliance-sync.realtime.max-unauthenticated-connections", "100000",
                    "appliance-sync.realtime.connection-init-timeout", "5M");
        }
    }

    private static final int CONNECTIONS = Integer.getInteger("bench.idle.connections", 10_000);
    private static final int PER_USER = 10;
    private static final String CHANGES = "subscription { changes { cursor type applianceId data } }";
    private static final Duration BOUND = Duration.ofMinutes(3);
    /** {@code bench.idle.histogram=true}: also print the service's classes that grew most, per connection. */
    private static final boolean HISTOGRAM = Boolean.getBoolean("bench.idle.histogram");
    private static final int HISTOGRAM_ROWS = 25;
    /** {@code bench.idle.heap-dump=FILE}: also write the service's live heap there while the connections are held. */
    private static final String HEAP_DUMP = System.getProperty("bench.idle.heap-dump");

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    MeterRegistry metrics;

    private static final String BARE = "bare Vert.x";
    private static final String NODE = "Node peer";

    /** Heap used after a full GC, and direct memory (NIO buffer pool plus Netty's own accounting), in bytes. */
    private record Footprint(long heap, long direct) {
    }

    /** A server's footprint now. */
    private interface Gauge {
        Footprint footprint() throws Exception;
    }

    @Test
    void memoryPerIdleSubscribedConnection() throws Exception {
        int users = CONNECTIONS / PER_USER;
        BenchmarkAccounts accounts = new BenchmarkAccounts(graphql);
        List<String> tokens = BenchmarkAccounts.parallel(users, 4, i -> accounts.signIn("idle").token());
        Path tokenFile = Files.createTempFile("idle-tokens-", ".txt");
        Files.write(tokenFile, tokens);

        long started = System.nanoTime();
        ClassHistogram before = HISTOGRAM ? ClassHistogram.now() : null;
        Footprint service = measure(graphql, tokenFile, CHANGES, () -> {
            awaitSubscriptionsInPlace();
            if (before != null) {
                System.out.println(ClassHistogram.now().perConnection(before, CONNECTIONS, HISTOGRAM_ROWS));
            }
            if (HEAP_DUMP != null) {
                ClassHistogram.dump(HEAP_DUMP);
            }
        }, IdleConnectionsBenchmark::footprint);
        double serviceSeconds = (System.nanoTime() - started) / 1e9;

        try {
            Footprint baseline;
            try (BareWebSocketServer bare = new BareWebSocketServer()) {
                baseline = measure(bare.graphql(), tokenFile, CHANGES, () -> { }, IdleConnectionsBenchmark::footprint);
            }
            Footprint node;
            try (NodePeer peer = NodePeer.start()) {
                JsonObject known = new JsonObject();
                for (int i = 0; i < tokens.size(); i++) {
                    known.put(tokens.get(i), "idle-" + i);
                }
                peer.access(new JsonObject().put("tokens", known));
                node = measure(peer.graphql(), tokenFile, CHANGES, () -> await().atMost(BOUND)
                        .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(peer.subscriptions())
                                .as("subscriptions the Node peer holds").isEqualTo(CONNECTIONS)),
                        () -> {
                            JsonObject memory = peer.memory();
                            return new Footprint(memory.getLong("heapUsed"), memory.getLong("external"));
                        });
            }

            System.out.printf("%nBENCHMARK idle connections: %,d connections (%d per user), each with a `changes` "
                    + "subscription, opened in %.1f s%n%n| per connection | heap | direct |%n| --- | --- | --- |%n"
                    + "| appliance-sync | %.1f KiB | %.1f KiB |%n| bare Vert.x WebSocket server | %.1f KiB | %.1f KiB |%n"
                    + "| Node.js peer (graphql-ws + ws) | %.1f KiB | %.1f KiB |%n%n",
                    CONNECTIONS, PER_USER, serviceSeconds, kib(service.heap()), kib(service.direct()),
                    kib(baseline.heap()), kib(baseline.direct()), kib(node.heap()), kib(node.direct()));
            BenchmarkResults.of(3, "idle-connections", "Idle subscribed connections")
                    .baseline(NODE, "one Node.js process, graphql-ws 6 + ws, holding the same subscriptions")
                    .baseline(BARE, "a bare Vert.x WebSocket server holding the same connections")
                    .conditions(("%,d graphql-transport-ws connections from a client JVM of their own, %d per user, "
                            + "each with a `changes` subscription, then idle; the service's heap (used after a full GC) "
                            + "and direct memory before and after, per connection; the bare Vert.x server answers "
                            + "`connection_init` and holds the same connections; the Node peer's `heapUsed` and "
                            + "`external` after full GCs (`node --expose-gc`) before and after")
                            .formatted(CONNECTIONS, PER_USER))
                    .figure("heap per connection", "KiB", BenchmarkResults.Better.LOWER, kib(service.heap()),
                            BenchmarkResults.against(NODE, kib(node.heap())),
                            BenchmarkResults.against(BARE, kib(baseline.heap())))
                    .figure("heap + direct per connection", "KiB", BenchmarkResults.Better.LOWER,
                            kib(service.heap() + service.direct()),
                            BenchmarkResults.against(NODE, kib(node.heap() + node.direct())),
                            BenchmarkResults.against(BARE, kib(baseline.heap() + baseline.direct())))
                    .detail("the service for all of them", "%.0f MiB of heap, %.0f MiB direct".formatted(
                            service.heap() * (double) CONNECTIONS / 1048576.0,
                            service.direct() * (double) CONNECTIONS / 1048576.0))
                    .write();
        } finally {
            Files.deleteIfExists(tokenFile);
        }
    }

    /**
     * Opens the connections from a client JVM, runs {@code check} while they are held, and returns what they cost
     * the server per connection ({@code gauge} before and after), after checking that every one was acknowledged and still open at the end.
     */
    private Footprint measure(URI server, Path tokens, String query, Runnable check, Gauge gauge) throws Exception {
        Footprint before = gauge.footprint();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process clients = new ProcessBuilder(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                IdleConnectionsClient.class.getName(), server.toString(), tokens.toString(),
                Integer.toString(PER_USER), query).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(),
                StandardCharsets.UTF_8)); Writer in = new OutputStreamWriter(clients.getOutputStream(),
                        StandardCharsets.UTF_8)) {
            assertThat(awaitLine(out, IdleConnectionsClient.READY)).as("connections acknowledged")
                    .isEqualTo(CONNECTIONS);
            check.run();
            Footprint held = gauge.footprint();
            in.write("close\n");
            in.flush();
            assertThat(awaitLine(out, IdleConnectionsClient.OPEN)).as("connections still open at the end")
                    .isEqualTo(CONNECTIONS);
            assertThat(clients.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("client JVM exits").isTrue();
            return new Footprint((held.heap() - before.heap()) / CONNECTIONS, (held.direct() - before.direct())
                    / CONNECTIONS);
        } finally {
            clients.destroyForcibly();
        }
    }

    /** A subscribe has no answer in graphql-transport-ws: the service's own gauge says when all are in place. */
    private void awaitSubscriptionsInPlace() {
        long deadline = System.nanoTime() + BOUND.toNanos();
        double active;
        while ((active = metrics.get("appliance_sync.realtime.subscriptions.active").gauge().value()) < CONNECTIONS
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        assertThat(active).as("subscriptions the service holds").isGreaterThanOrEqualTo(CONNECTIONS);
    }

    /** The number after {@code prefix} on the first line that starts with it (the client's other lines are echoed). */
    private static long awaitLine(BufferedReader out, String prefix) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix + " ")) {
                return Long.parseLong(line.substring(prefix.length() + 1).trim());
            }
            System.out.println("  [clients] " + line);
        }
        throw new AssertionError("the client JVM ended before saying " + prefix);
    }

    /** Full GCs until the heap stops shrinking (at most five), then the heap used and direct memory. */
    private static Footprint footprint() {
        long heap = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= heap * 0.99) {
                heap = Math.min(heap, used);
                break;
            }
            heap = used;
        }
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return new Footprint(heap, direct + Math.max(0, PlatformDependent.usedDirectMemory()));
    }

    private static double kib(long bytes) {
        return bytes / 1024.0;
    }
}
