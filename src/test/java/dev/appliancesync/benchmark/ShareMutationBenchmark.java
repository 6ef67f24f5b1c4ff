package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.sun.management.OperatingSystemMXBean;

import dev.appliancesync.benchmark.BenchmarkAccounts.Account;
import dev.appliancesync.benchmark.PostgresStatementLog.Transaction;
import dev.appliancesync.cloud.sync.CloudAccessOutbox;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.support.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * `shareAppliance` (#4): throughput and latency with {@code bench.share.concurrency} (16) requests in flight over
 * HTTP, against the same SQL run directly at the same concurrency in the same run: the database's floor for the
 * mutation.
 * <p>
 * Each operation is an owner sharing one of their appliances as FAMILY with someone new, so every operation does the
 * same work: owners own {@value #PER_OWNER} claimed appliances each and share each once; operation i is owner
 * {@code i mod owners} (so the requests in flight are different owners') and recipient i. Owners get dev tokens and
 * claim through the API; recipients never call the API, so they are inserted as their first sign-in would insert
 * them (far quicker for hundreds).
 * <p>
 * The baseline's statements are not written down here: they are what PostgreSQL logged for real mutations
 * ({@link PostgresStatementLog}: {@code log_statement = all} for the capture only). One owner shaped like the others
 * shares each of their appliances; each logged transaction is the template for the operations on that position
 * (the owner's IoT policy names all their thing names, so position matters). {@link StatementReplay} runs a template
 * in one transaction on the service's own reactive {@link Pool} (same client, same prepared-statement cache), its
 * parameters the logged ones with the operation's ids (owner, appliance, its thing name, recipient and their email;
 * the share id from the replayed insert). Checked, so the baseline cannot drift from the code: every id in the logged
 * parameters is replaced, all positions log the same statements, and one replayed operation, logged in the same
 * window, is exactly the captured statements with its own ids. After the run, the service's own cloud-access refresh
 * of sampled baseline users changes nothing (the replay stored the IoT policies the service would have) and both
 * sides left the same shares and cloud generations. Not in the baseline: the request's sign-in (a read of the owner's
 * row, or none when a sign-in of theirs within appliance-sync.identity.reuse-sign-in-for answers it; how many ran is
 * reported apart, from the service's counter), HTTP, GraphQL, Cedar and the policy compiler, i.e. the service's own work. The replay runs the
 * statements one after the other (a batch as one); the service sends its two reads per refreshed user together, so
 * the baseline has two round trips more per share than the service's own transaction: if anything, a slower floor.
 * <p>
 * Measured: {@code bench.share.rounds} rounds of {@code bench.share.perRound} operations per side, alternating which
 * side goes first, after {@code bench.share.warmUp} warm-up operations per side; closed loop, each client sending its
 * next operation when the last one returned. Throughput is operations over the time the rounds took. With
 * {@code bench.jfr=true} one more round of the service's side is recorded after the measured ones
 * (target/share-mutation-benchmark.jfr) and its hottest methods printed.
 * <p>
 * Run: ./mvnw -Pbenchmarks test -Dtest=ShareMutationBenchmark [-Dbench.share.concurrency=16]
 * [-Dbench.share.rounds=4] [-Dbench.share.perRound=150] [-Dbench.share.warmUp=50] [-Dbench.jfr=false]
 * [-Dbench.share.profiled=600]
 */
@QuarkusTest
class ShareMutationBenchmark {

    private static final int CONCURRENCY = Integer.getInteger("bench.share.concurrency", 16);
    private static final int ROUNDS = Integer.getInteger("bench.share.rounds", 4);
    private static final int PER_ROUND = Integer.getInteger("bench.share.perRound", 150);
    private static final int WARM_UP = Integer.getInteger("bench.share.warmUp", 50);
    /** A JFR recording of one more round of the service's side, after the measured rounds (not in the figures). */
    private static final boolean JFR = Boolean.parseBoolean(System.getProperty("bench.jfr", "false"));
    /** Operations in that round: as many as the measured rounds, for samples enough. */
    private static final int PROFILED = Integer.getInteger("bench.share.profiled", ROUNDS * PER_ROUND);
    /** Appliances per owner. Few: an owner's own IoT policies must fit the quota too (about 35 appliances). */
    private static final int PER_OWNER = 5;
    /** Setup threads; the machine has 2 cores. */
    private static final int SETUP_THREADS = 4;
    /** A capture loses a line now and then (see PostgresStatementLog); then it is taken again with new users. */
    private static final int CAPTURE_ATTEMPTS = 3;
    /** Baseline operations whose users the service's own cloud-access refresh checks after the run. */
    private static final int REFRESH_SAMPLE = 20;
    private static final String TYPE = "MINI_OVEN";
    private static final String ROLE = "FAMILY";
    /** The statement that writes the share (and returns it): the one statement with this text in it. */
    private static final String INSERTS_SHARE = "insert into share (";
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Pool pool;

    @Inject
    CloudAccessOutbox outbox;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "quarkus.datasource.reactive.max-size")
    int poolSize;

    private BenchmarkAccounts accounts;
    private Account operator;

    /** An owner and their claimed appliances, in claim order; serials (thing names) are the prefix and the position. */
    private record Owner(Account account, String serialPrefix, List<String> appliances) {
    }

    /** Operation i: owner {@code i mod owners} shares their appliance at position {@code i / owners} with recipient i. */
    private record Population(List<Owner> owners, List<Account> recipients) {

        Owner owner(int op) {
            return owners.get(op % owners.size());
        }

        int position(int op) {
            return op / owners.size();
        }

        String appliance(int op) {
            return owner(op).appliances().get(position(op));
        }

        Account recipient(int op) {
            return recipients.get(op);
        }
    }

    /** What PostgreSQL logged: a template per appliance position of {@code sample}. */
    private record Capture(Population sample, List<StatementReplay> templates, int attempts) {

        StatementReplay template(int position) {
            return templates.get(position);
        }
    }

    @Test
    void shareApplianceAgainstItsSql() throws Exception {
        accounts = new BenchmarkAccounts(graphql);
        operator = accounts.signIn("share-operator", List.of("admin"));
        // The profiled round (bench.jfr) is one more per side, so that both sides still leave the same.
        int operations = WARM_UP + ROUNDS * PER_ROUND + (JFR ? PROFILED : 0);

        // Setup (not measured): a population per side, shaped alike, and a few operations for the capture's check.
        long setupStarted = System.nanoTime();
        Population service = population("svc", operations);
        Population direct = population("sql", operations);
        Population checks = population("chk", CAPTURE_ATTEMPTS);
        Map<String, Long> ownerGenerations = generations(ownerIds(service, direct));
        double setupSeconds = seconds(System.nanoTime() - setupStarted);

        Capture capture = capture(checks);

        Side http = new Side("`shareAppliance` over HTTP", op -> accounts.shareWith(service.owner(op).account(),
                service.appliance(op), service.recipient(op), ROLE));
        Side sql = new Side("its SQL run directly", op -> replay(capture, direct, op));
        http.run(WARM_UP, false);
        sql.run(WARM_UP, false);
        double signInsBefore = signIns();
        long cedarBefore = cedarEvaluations();
        for (int round = 0; round < ROUNDS; round++) {
            // Alternating which side goes first spreads the machine's drift (other builds) over both.
            List<Side> order = round % 2 == 0 ? List.of(http, sql) : List.of(sql, http);
            for (Side side : order) {
                side.run(PER_ROUND, true);
            }
        }

        // Only the HTTP side signs anyone in (the replay runs on the pool), and nothing else runs meanwhile.
        long signIns = Math.round(signIns() - signInsBefore);
        // Likewise Cedar: the replay decides nothing, and the reconciler compiles nothing.
        long cedar = cedarEvaluations() - cedarBefore;
        if (JFR) {
            profileServiceRound(http, sql);
        }

        checkBothSidesAlike(service, direct, operations, ownerGenerations);
        checkServiceWouldStoreTheSame(direct);
        printSummary(http, sql, capture, setupSeconds, signIns, cedar);
        report(http, sql, capture, signIns, cedar);
    }

    // ---- setup -------------------------------------------------------------------------------------------------------

    /** Owners enough for {@code operations} (each with PER_OWNER claimed appliances) and a recipient per operation. */
    private Population population(String prefix, int operations) throws Exception {
        int ownerCount = (operations + PER_OWNER - 1) / PER_OWNER;
        List<Owner> owners = BenchmarkAccounts.parallel(ownerCount, SETUP_THREADS, i -> owner(prefix));
        return new Population(owners, recipients(prefix, operations));
    }

    /**
     * One owner's claims run one after the other: each recompiles the owner's IoT policies from what it reads, and
     * two at once can store policies that miss the other's appliance.
     */
    private Owner owner(String prefix) {
        Account account = accounts.signIn(prefix + "-owner");
        // Equally long, so an owner's thing names sort by position alike in every owner's policies.
        String serialPrefix = "SM-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "-";
        List<String> appliances = new ArrayList<>();
        for (int position = 0; position < PER_OWNER; position++) {
            appliances.add(accounts.claimed(operator, account, serialPrefix + position, TYPE));
        }
        return new Owner(account, serialPrefix, List.copyOf(appliances));
    }

    /** Users with a verified email, as their first sign-in would insert them (same subject), in one statement. */
    private List<Account> recipients(String prefix, int count) {
        String[] usernames = new String[count];
        String[] subjects = new String[count];
        for (int i = 0; i < count; i++) {
            usernames[i] = Tokens.uniqueUsername(prefix + "-rcpt");
            subjects[i] = DevTokenIssuer.subjectOf(usernames[i]);
        }
        Map<String, String> ids = new HashMap<>();
        pool.preparedQuery("""
                        insert into app_user (subject, username, email, email_verified)
                        select s, u, u || '@example.com', true from unnest($1::text[], $2::text[]) as r(u, s)
                        returning username, id""")
                .execute(Tuple.of(usernames, subjects)).await().atMost(BOUND)
                .forEach(row -> ids.put(row.getString("username"), row.getUUID("id").toString()));
        List<Account> recipients = new ArrayList<>(count);
        for (String username : usernames) {
            recipients.add(new Account(username, username + "@example.com", null, ids.get(username)));
        }
        return recipients;
    }

    // ---- capture -----------------------------------------------------------------------------------------------------

    /**
     * Logs the mutations of one owner shaped like the others, one per appliance position, and a replayed operation
     * of {@code checks}; taken again with new users when the log lost a line.
     */
    private Capture capture(Population checks) throws Exception {
        for (int attempt = 0; attempt < CAPTURE_ATTEMPTS; attempt++) {
            Population sample = population("cap" + attempt, PER_OWNER);
            try (PostgresStatementLog log = PostgresStatementLog.start(pool, poolSize)) {
                List<String> shareIds = new ArrayList<>();
                List<Transaction> shares = new ArrayList<>();
                for (int position = 0; position < PER_OWNER; position++) {
                    Account recipient = sample.recipient(position);
                    shareIds.add(accounts.shareWith(sample.owner(position).account(), sample.appliance(position),
                            recipient, ROLE));
                    shares.add(log.await("sharing with " + recipient.username(), sharingWith(recipient)));
                }
                if (shares.stream().allMatch(Transaction::complete)) {
                    Capture capture = new Capture(sample, templates(shares, shareIds), attempt + 1);
                    Map<String, String> values = replay(capture, checks, attempt);
                    Transaction replayed = log.await("replaying for " + checks.recipient(attempt).username(),
                            sharingWith(checks.recipient(attempt)));
                    if (replayed.complete()) {
                        checkCapture(capture, checks.position(attempt), replayed, values);
                        return capture;
                    }
                }
                System.out.printf("BENCHMARK share-mutation: the statement log lost lines (capture %d), again%n",
                        attempt + 1);
            }
        }
        throw new AssertionError("PostgreSQL's statement log lost lines in each of " + CAPTURE_ATTEMPTS + " captures");
    }

    /** A replay per logged share; the share's id is what its insert returns. */
    private List<StatementReplay> templates(List<Transaction> shares, List<String> shareIds) {
        List<StatementReplay> templates = new ArrayList<>();
        for (int position = 0; position < shares.size(); position++) {
            templates.add(StatementReplay.of(pool, shares.get(position).statements(),
                    new StatementReplay.Created(INSERTS_SHARE, "id", shareIds.get(position))));
        }
        return List.copyOf(templates);
    }

    private static Predicate<Transaction> sharingWith(Account recipient) {
        // The statement names the recipient by their email and finds their id itself.
        return t -> t.has(s -> s.sql().contains(INSERTS_SHARE) && (s.parameters().contains(recipient.id())
                || s.parameters().contains(recipient.email())));
    }

    /**
     * What keeps the baseline the mutation's: every position logged the same statements; every id in their
     * parameters is one the replay replaces (or the share the insert creates); the replayed operation is, as
     * PostgreSQL logged it, exactly the captured statements with its own values.
     */
    private static void checkCapture(Capture capture, int position, Transaction replayed, Map<String, String> values) {
        for (int p = 0; p < PER_OWNER; p++) {
            StatementReplay template = capture.template(p);
            assertThat(template.sql()).as("statements of the share at position %d", p)
                    .isEqualTo(capture.template(0).sql());
            Set<String> replaced = new LinkedHashSet<>(captured(capture.sample(), p));
            replaced.add(template.createdValue());
            assertThat(replaced).as("values the replay replaces, position %d", p).containsAll(template.ids());
        }
        assertThat(replayed.statements()).as("the replayed transaction as PostgreSQL logged it")
                .isEqualTo(capture.template(position).expected(values));
    }

    /** The values the replay replaces, of operation {@code op}: owner, thing-name prefix, appliance, recipient. */
    private static List<String> captured(Population population, int op) {
        Owner owner = population.owner(op);
        Account recipient = population.recipient(op);
        return List.of(owner.account().id(), owner.serialPrefix(), population.appliance(op), recipient.id(),
                recipient.email());
    }

    /** The captured values of the sample's share at {@code op}'s position → operation {@code op} of {@code target}. */
    private static Map<String, String> replacements(Capture capture, Population target, int op) {
        List<String> from = captured(capture.sample(), target.position(op)); // the sample: one owner, op = position
        List<String> to = captured(target, op);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < from.size(); i++) {
            values.put(from.get(i), to.get(i));
        }
        return values;
    }

    /** Operation {@code op} of {@code target} replayed; returns the values it used, the created share's too. */
    private Map<String, String> replay(Capture capture, Population target, int op) {
        return capture.template(target.position(op)).run(pool, replacements(capture, target, op)).await()
                .atMost(BOUND);
    }

    /**
     * One more round of the service's side recorded by JFR (the recording costs CPU too, so it is not one of the
     * measured rounds), then one of the SQL side unrecorded, so that both sides made as many shares.
     */
    private static void profileServiceRound(Side http, Side sql) throws Exception {
        JfrProfile profile = new JfrProfile();
        profile.start();
        http.run(PROFILED, false);
        profile.stop();
        sql.run(PROFILED, false);
        profile.print(Path.of("target", "share-mutation-benchmark.jfr"));
    }

    // ---- checks after the run ---------------------------------------------------------------------------------------

    /** Both sides left the same: a share per operation, owners' IoT policies unchanged, each recipient's new. */
    private void checkBothSidesAlike(Population service, Population direct, int operations,
            Map<String, Long> ownerGenerations) {
        for (Population side : List.of(service, direct)) {
            List<String> recipients = side.recipients().stream().map(Account::id).toList();
            long shares = pool.preparedQuery("select count(*) from share where recipient_id = any($1) "
                            + "and revoked_at is null").execute(Tuple.of(uuids(recipients)))
                    .await().atMost(BOUND).iterator().next().getLong(0);
            assertThat(shares).as("shares made").isEqualTo(operations);
            assertThat(generations(recipients).values()).as("recipients' desired cloud generation")
                    .hasSize(operations).containsOnly(1L);
        }
        assertThat(generations(ownerIds(service, direct))).as("owners' desired cloud generations (a share does not "
                + "change the owner's access)").isEqualTo(ownerGenerations);
    }

    /**
     * The service's own refresh of sampled baseline users' IoT policies stores nothing new: the replay stored what
     * the service computes for them.
     */
    private void checkServiceWouldStoreTheSame(Population direct) {
        int measured = ROUNDS * PER_ROUND;
        Set<UUID> users = new LinkedHashSet<>();
        for (int i = 0; i < REFRESH_SAMPLE; i++) {
            int op = WARM_UP + i * measured / REFRESH_SAMPLE;
            users.add(UUID.fromString(direct.owner(op).account().id()));
            users.add(UUID.fromString(direct.recipient(op).id()));
        }
        List<String> ids = users.stream().map(UUID::toString).toList();
        Map<String, Long> before = generations(ids);
        pool.withTransaction(tx -> outbox.refresh(tx, users)).await().atMost(BOUND);
        assertThat(generations(ids)).as("desired cloud generations after the service's refresh of baseline users")
                .isEqualTo(before);
    }

    private Map<String, Long> generations(List<String> userIds) {
        Map<String, Long> generations = new HashMap<>();
        for (Row row : pool.preparedQuery("select user_id, desired_generation from cloud_sync_state "
                + "where user_id = any($1)").execute(Tuple.of(uuids(userIds)))
                .await().atMost(BOUND)) {
            generations.put(row.getUUID("user_id").toString(), row.getLong("desired_generation"));
        }
        return generations;
    }

    private static UUID[] uuids(List<String> ids) {
        return ids.stream().map(UUID::fromString).toArray(UUID[]::new);
    }

    private static List<String> ownerIds(Population... populations) {
        List<String> ids = new ArrayList<>();
        for (Population population : populations) {
            population.owners().forEach(owner -> ids.add(owner.account().id()));
        }
        return ids;
    }

    // ---- measuring ---------------------------------------------------------------------------------------------------

    /** One side's operations, numbered from 0, run CONCURRENCY at a time (closed loop); measured runs add up. */
    private static final class Side {
        private final String label;
        private final IntConsumer operation;
        private final List<long[]> measured = new ArrayList<>();
        private int next;
        private long nanos;
        private long cpuNanos;

        Side(String label, IntConsumer operation) {
            this.label = label;
            this.operation = operation;
        }

        void run(int count, boolean measure) throws Exception {
            int first = next;
            next += count;
            long[] latencies = new long[count];
            AtomicInteger taken = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
            try {
                List<Future<?>> running = new ArrayList<>(CONCURRENCY);
                long cpuStarted = OS.getProcessCpuTime();
                long started = System.nanoTime();
                for (int c = 0; c < CONCURRENCY; c++) {
                    running.add(clients.submit(() -> {
                        for (int i = taken.getAndIncrement(); i < count; i = taken.getAndIncrement()) {
                            long sent = System.nanoTime();
                            operation.accept(first + i);
                            latencies[i] = System.nanoTime() - sent;
                        }
                        return null;
                    }));
                }
                for (Future<?> client : running) {
                    client.get(5, TimeUnit.MINUTES);
                }
                if (measure) {
                    nanos += System.nanoTime() - started;
                    cpuNanos += OS.getProcessCpuTime() - cpuStarted;
                    measured.add(latencies);
                }
            } finally {
                clients.shutdownNow();
            }
        }

        Samples samples() {
            return Samples.ofNanos(measured.stream().flatMapToLong(java.util.Arrays::stream).toArray());
        }

        double throughput() {
            return samples().count() / seconds(nanos);
        }

        /** This JVM's CPU per operation (both sides' clients run in it, and on the HTTP side the HTTP client too). */
        double jvmCpuMs() {
            return cpuNanos / 1e6 / samples().count();
        }

        String row() {
            Samples samples = samples();
            return "| %s | %d | %.0f ops/s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f ms |".formatted(label,
                    samples.count(), throughput(), samples.p50(), samples.ms(95), samples.p99(), samples.max(),
                    jvmCpuMs());
        }
    }

    // ---- reporting ---------------------------------------------------------------------------------------------------

    private static void printSummary(Side http, Side sql, Capture capture, double setupSeconds, long signIns,
            long cedar) {
        StatementReplay template = capture.template(0);
        System.out.printf("%nBENCHMARK share-mutation: %d clients in flight per side, %d rounds of %d operations "
                + "after %d warm-up; setup %.1f s; statements from PostgreSQL's log (capture %d)%n%n", CONCURRENCY,
                ROUNDS, PER_ROUND, WARM_UP, setupSeconds, capture.attempts());
        System.out.println("| side | n | throughput | p50 | p95 | p99 | max | JVM CPU per op |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        System.out.println(http.row());
        System.out.println(sql.row());
        Samples service = http.samples();
        Samples direct = sql.samples();
        System.out.printf("%nservice / SQL: throughput %.2f, p50 %.2f, p99 %.2f%n", http.throughput() / sql.throughput(),
                service.p50() / direct.p50(), service.p99() / direct.p99());
        System.out.printf("%nOne `shareAppliance` transaction, as PostgreSQL logged it: %d statements (replayed in %d "
                + "round trips with BEGIN and COMMIT)%n",
                template.statements(), template.roundTrips());
        List<String> statements = template.sql();
        for (int i = 0; i < statements.size(); i++) {
            System.out.printf("  %2d. %s%n", i + 1, abbreviated(statements.get(i)));
        }
        System.out.printf("Before it, the request's sign-in: %s%n", signIns(signIns));
        System.out.printf("Cedar: %s%n%n", cedar(cedar));
    }

    /** How many of the measured requests ran a sign-in, and what the others did instead. */
    private static String signIns(long signIns) {
        int measured = ROUNDS * PER_ROUND;
        return ("%d of %d measured requests ran one (a read of the owner's row; a transaction only for a new or changed "
                + "user or waiting invitations), the other %d were answered by a sign-in of the same owner within "
                + "appliance-sync.identity.reuse-sign-in-for").formatted(signIns, measured, measured - signIns);
    }

    /** How many times the measured requests asked the Cedar engine (the others were remembered decisions). */
    private static String cedar(long evaluations) {
        int measured = ROUNDS * PER_ROUND;
        return "%d evaluations for %d measured requests (%.2f each)".formatted(evaluations, measured,
                (double) evaluations / measured);
    }

    private long cedarEvaluations() {
        return metrics.get(ServiceMetrics.ACCESS_DECISION).timer().count();
    }

    private double signIns() {
        return metrics.get(ServiceMetrics.IDENTITY_SIGN_INS).counter().count();
    }

    private static void report(Side http, Side sql, Capture capture, long signIns, long cedar) {
        StatementReplay template = capture.template(0);
        Samples service = http.samples();
        Samples direct = sql.samples();
        BenchmarkResults.of(4, "share-mutation", "Mutations: `shareAppliance`")
                .baseline("the same SQL run directly at the same concurrency")
                .conditions(("%d `shareAppliance` requests over HTTP, %d in flight (closed loop), each an owner (of %d "
                        + "appliances) sharing one as FAMILY with a new recipient; baseline: the statements PostgreSQL "
                        + "logged for such a mutation, with each operation's ids, one transaction per operation on the "
                        + "service's reactive pool, as many in flight; %d rounds per side, alternating which goes "
                        + "first, after %d warm-up").formatted(ROUNDS * PER_ROUND, CONCURRENCY, PER_OWNER, ROUNDS,
                        WARM_UP))
                .figure("throughput", "ops/s", BenchmarkResults.Better.HIGHER, http.throughput(), sql.throughput())
                .figure("p50", "ms", BenchmarkResults.Better.LOWER, service.p50(), direct.p50())
                .figure("p99", "ms", BenchmarkResults.Better.LOWER, service.p99(), direct.p99())
                .detail("concurrency", CONCURRENCY + " operations in flight, each side")
                .detail("statements per share", ("%d in one transaction, replayed in %d round trips with BEGIN and "
                        + "COMMIT").formatted(template.statements(), template.roundTrips()))
                .detail("sign-ins", signIns(signIns))
                .detail("Cedar", cedar(cedar))
                .detail("JVM CPU per operation", ("%.2f ms over HTTP, %.2f ms for the SQL run directly (the test JVM: "
                        + "service, clients and, over HTTP, the HTTP client)").formatted(http.jvmCpuMs(), sql.jvmCpuMs()))
                .detail("operations", "%d measured per side after %d warm-up".formatted(ROUNDS * PER_ROUND, WARM_UP))
                .write();
    }

    /** The first 110 characters of a statement on one line. */
    private static String abbreviated(String sql) {
        String line = sql.strip().replaceAll("\\s+", " ");
        return line.length() <= 110 ? line : line.substring(0, 107) + "...";
    }

    private static double seconds(long nanos) {
        return nanos / 1_000_000_000.0;
    }
}
