package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * A reconnect storm: {@code bench.storm.connections} (10,000) graphql-transport-ws connections, {@value #PER_USER}
 * per user, opened from a client JVM of their own ({@link StormClient}), then every one subscribing to {@code changes}
 * at once, as every app does after a deploy. Prints the time from the first subscribe to the last first item (every
 * subscription's {@code SUBSCRIBED}), and {@code me} over HTTP meanwhile, p50 and p99, from {@value #ASKERS} callers
 * in a closed loop; the baseline is the same {@code me} load on the same instance with the same connections open and
 * idle, just before. Also prints how many sign-ins and access reads the storm cost (one each per user is the aim).
 * Asserts every subscription started (data, no error) and every connection was still open at the end.
 * <p>
 * Run: ./mvnw -Pbenchmarks test -Dtest=ReconnectStormBenchmark [-Dbench.storm.connections=10000]
 */
@QuarkusTest
@TestProfile(ReconnectStormBenchmark.OwnInstance.class)
class ReconnectStormBenchmark {

    /** A service of its own, as IdleConnectionsBenchmark's: all connect at once, and this must not leak elsewhere. */
    public static class OwnInstance implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("appliance-sync.realtime.max-unauthenticated-connections", "100000",
                    "appliance-sync.realtime.connection-init-timeout", "5M");
        }
    }

    private static final int CONNECTIONS = Integer.getInteger("bench.storm.connections", 10_000);
    private static final int PER_USER = 10;
    private static final int ASKERS = 4;
    private static final Duration IDLE_LOAD = Duration.ofSeconds(10);
    private static final String CHANGES = "subscription { changes { cursor type applianceId data } }";
    private static final String ME = "{ me { id } }";
    private static final Duration BOUND = Duration.ofMinutes(6);

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    MeterRegistry metrics;

    @Test
    void tenThousandSubscribingAtOnce() throws Exception {
        BenchmarkAccounts accounts = new BenchmarkAccounts(graphql);
        List<String> tokens = BenchmarkAccounts.parallel(CONNECTIONS / PER_USER, 4,
                i -> accounts.signIn("storm").token());
        List<String> askers = BenchmarkAccounts.parallel(ASKERS, ASKERS, i -> accounts.signIn("asking").token());
        Path tokenFile = Files.createTempFile("storm-tokens-", ".txt");
        Files.write(tokenFile, tokens);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process clients = new ProcessBuilder(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                StormClient.class.getName(), graphql.toString(), tokenFile.toString(), Integer.toString(PER_USER),
                CHANGES).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(),
                StandardCharsets.UTF_8)); Writer in = new OutputStreamWriter(clients.getOutputStream(),
                        StandardCharsets.UTF_8)) {
            assertThat(Long.parseLong(awaitLine(out, StormClient.READY))).as("connections acknowledged")
                    .isEqualTo(CONNECTIONS);

            Answers idle;
            try (MeLoad load = new MeLoad(accounts, askers)) {
                load.awaitFor(IDLE_LOAD);
                idle = load.stop();
            }

            double signInsBefore = count(ServiceMetrics.IDENTITY_SIGN_INS);
            double loadsBefore = count(ServiceMetrics.REALTIME_ACCESS_LOADS);
            String[] subscribed;
            Answers storm;
            long stormStarted = System.nanoTime();
            try (MeLoad load = new MeLoad(accounts, askers); Progress progress = new Progress(stormStarted)) {
                send(in, "subscribe");
                subscribed = awaitLine(out, StormClient.SUBSCRIBED).split(" ");
                storm = load.stop();
            }
            double signIns = count(ServiceMetrics.IDENTITY_SIGN_INS) - signInsBefore;
            double accessReads = count(ServiceMetrics.REALTIME_ACCESS_LOADS) - loadsBefore;
            long started = Long.parseLong(subscribed[0]);
            long refused = Long.parseLong(subscribed[1]);
            double seconds = Long.parseLong(subscribed[2]) / 1000.0;
            double held = metrics.get(ServiceMetrics.REALTIME_SUBSCRIPTIONS_ACTIVE).gauge().value();

            send(in, "close");
            long stillOpen = Long.parseLong(awaitLine(out, StormClient.OPEN));

            System.out.printf("%nBENCHMARK reconnect storm: %,d connections (%d per user) subscribing to `changes` at "
                    + "once: all started in %.1f s; %,.0f sign-ins and %,.0f access reads for %,d users%n%n%s%n%s%n%s%n%n",
                    CONNECTIONS, PER_USER, seconds, signIns, accessReads, CONNECTIONS / PER_USER, Samples.HEADER,
                    idle.samples().row("`me`, connections open and idle (baseline)"),
                    storm.samples().row("`me` during the storm (" + storm.failed() + " failed)"));
            BenchmarkResults.of(3, "reconnect-storm", "Reconnect storm")
                    .baseline("`me` on the same instance with the same connections open and idle")
                    .conditions(("%,d graphql-transport-ws connections from a client JVM of their own, %d per user, "
                            + "all subscribing to `changes` at once; `me` over HTTP from %d callers in a closed loop "
                            + "meanwhile; admission at the defaults (appliance-sync.realtime.admission.*)")
                            .formatted(CONNECTIONS, PER_USER, ASKERS))
                    .figure("`me` p50", "ms", BenchmarkResults.Better.LOWER, storm.samples().p50(), idle.samples().p50())
                    .figure("`me` p99", "ms", BenchmarkResults.Better.LOWER, storm.samples().p99(), idle.samples().p99())
                    .detail("all subscribed (first subscribe to the last first item)", "%.1f s".formatted(seconds))
                    .detail("sign-ins, access reads", "%,.0f, %,.0f for %,d users".formatted(signIns, accessReads,
                            CONNECTIONS / PER_USER))
                    .detail("`me` failed during the storm", "%,d of %,d".formatted(storm.failed(), storm.samples().count()))
                    .detail("subscriptions started, refused, held by the service", "%,d, %,d, %,.0f".formatted(started,
                            refused, held))
                    .write();
            // Checked once the numbers are out: a run that misses shows by how much.
            assertThat(idle.failed()).as("`me` failures on the idle service").isZero();
            assertThat(refused).as("subscriptions refused or closed").isZero();
            assertThat(started).as("subscriptions started").isEqualTo(CONNECTIONS);
            assertThat(held).as("subscriptions the service holds").isGreaterThanOrEqualTo(CONNECTIONS);
            assertThat(storm.failed()).as("`me` failures during the storm").isZero();
            assertThat(stillOpen).as("connections still open at the end").isEqualTo(CONNECTIONS);
            assertThat(clients.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("client JVM exits").isTrue();
        } finally {
            clients.destroyForcibly();
            Files.deleteIfExists(tokenFile);
        }
    }

    private double count(String counter) {
        return metrics.get(counter).counter().count();
    }

    private static void send(Writer in, String line) throws IOException {
        in.write(line + "\n");
        in.flush();
    }

    /** What follows {@code prefix} on the first line that starts with it (the client's other lines are echoed). */
    private static String awaitLine(BufferedReader out, String prefix) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix + " ")) {
                return line.substring(prefix.length() + 1).trim();
            }
            System.out.println("  [clients] " + line);
        }
        throw new AssertionError("the client JVM ended before saying " + prefix);
    }

    /** The {@code me} latencies (a failed request counts with the time it took to fail) and how many failed. */
    private record Answers(Samples samples, int failed) {
    }

    /** Every 5 s of the storm, what the service says of it: a benchmark's progress lines, not a wait. */
    private final class Progress implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor();

        Progress(long started) {
            timer.scheduleAtFixedRate(() -> System.out.printf("  [storm %5.1f s] subscriptions %,.0f, waiting %,.0f,"
                    + " sign-ins %,.0f, access reads %,.0f%n", (System.nanoTime() - started) / 1e9,
                    metrics.get(ServiceMetrics.REALTIME_SUBSCRIPTIONS_ACTIVE).gauge().value(),
                    metrics.get(ServiceMetrics.REALTIME_ADMISSIONS_WAITING).gauge().value(),
                    count(ServiceMetrics.IDENTITY_SIGN_INS), count(ServiceMetrics.REALTIME_ACCESS_LOADS)),
                    5, 5, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    /** {@code me} from each asker in a closed loop, each answer checked, until stopped. */
    private static final class MeLoad implements AutoCloseable {
        private final ExecutorService threads;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Future<List<Long>>> loops = new ArrayList<>();
        private final java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();

        MeLoad(BenchmarkAccounts accounts, List<String> askers) {
            threads = Executors.newFixedThreadPool(askers.size());
            for (String token : askers) {
                loops.add(threads.submit(() -> {
                    List<Long> nanos = new ArrayList<>();
                    while (running.get()) {
                        long start = System.nanoTime();
                        boolean answered;
                        try {
                            answered = accounts.post(token, ME, new JsonObject()).getValue("errors") == null;
                        } catch (IllegalStateException | AssertionError timedOutOrNot200) {
                            answered = false;
                        }
                        nanos.add(System.nanoTime() - start);
                        if (!answered) {
                            failed.incrementAndGet();
                        }
                    }
                    return nanos;
                }));
            }
        }

        /** Lets the load run for {@code duration} (a benchmark's measuring window, not a wait for an event). */
        void awaitFor(Duration duration) throws InterruptedException {
            threads.awaitTermination(duration.toMillis(), TimeUnit.MILLISECONDS);
        }

        Answers stop() throws Exception {
            running.set(false);
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> loop : loops) {
                all.addAll(loop.get(1, TimeUnit.MINUTES));
            }
            return new Answers(Samples.ofNanos(all.stream().mapToLong(Long::longValue).toArray()), failed.get());
        }

        @Override
        public void close() {
            running.set(false);
            threads.shutdownNow();
        }
    }
}
