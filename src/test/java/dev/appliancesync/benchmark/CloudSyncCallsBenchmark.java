package dev.appliancesync.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.CloudUsers;
import dev.appliancesync.cloud.FakeAws;
import dev.appliancesync.cloud.FakeAwsResource;
import dev.appliancesync.cloud.FakeAwsResource.InjectFakeAws;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.ShareChanges;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * What one share and one revoke cost in AWS calls, and how long from the mutation until SHARE_CLOUD_SYNC IN_SYNC
 * reaches the owner's shareChanges, in {@code aws} mode against {@link FakeAws} (the real SDK's wire format on
 * loopback, so the time is the reconciler's, not AWS's latency) at the production pace: 10 calls per second per
 * operation and a pass every second.
 * <ol>
 * <li>One mutation at a time, {@code bench.shares} times for each kind of recipient: one with no other grant (the
 * share creates their first policy, the revoke deletes it) and one who already holds a grant (a new version of their
 * policy each way). Calls are FakeAws's per-operation counters, reset before each mutation and read once its IN_SYNC
 * has arrived; nobody else has anything pending meanwhile. The time is split where the pass's AWS calls begin and end.
 * The reconciler waits a whole interval after each pass (fixed delay) and each mutation here is sent just after the
 * previous one's pass, so the wait for a pass is close to a whole interval: the worst case. Mutations that arrive
 * independently of the schedule wait half of it on average.</li>
 * <li>{@code bench.shares} shares to as many recipients sent back to back, then their revokes: here the rate limit
 * decides, as every recipient's pass needs the same operations.</li>
 * </ol>
 * Run: ./mvnw -Pbenchmarks test -Dtest=CloudSyncCallsBenchmark [-Dbench.shares=20]
 */
@QuarkusTest
@TestProfile(CloudSyncCallsBenchmark.ProductionPace.class)
class CloudSyncCallsBenchmark {

    public static class ProductionPace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    // The production default; the test profile polls every 200 ms.
                    "appliance-sync.cloud.reconcile.interval", "1S",
                    // No drift sweep during the run: its reads would be counted as a mutation's.
                    "appliance-sync.cloud.reconcile.drift-check-interval", "24H");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakeAwsResource.class));
        }
    }

    private static final int SHARES = Integer.getInteger("bench.shares", 20);
    /** Shares per appliance, below the 50 an appliance may have. */
    private static final int PER_APPLIANCE = 25;
    private static final String CLOUD_SYNC = "SHARE_CLOUD_SYNC";

    @InjectFakeAws
    FakeAws aws;

    @TestHTTPResource("/graphql")
    URI graphql;

    /**
     * One mutation: the AWS calls it caused and when (System.nanoTime, one JVM): sent, its first and last call's
     * arrival at FakeAws, its IN_SYNC's arrival at the owner.
     */
    private record Trial(Map<CloudOperation, Integer> calls, long sent, long firstCall, long lastCall, long received) {
    }

    @Test
    void awsCallsAndTimeToInSyncOfOneShareAndOneRevoke() throws Exception {
        CloudUsers users = new CloudUsers(aws);
        User owner = users.signedIn("bench-cloud-owner");
        Appliances.Claimed shared = Appliances.claimed(owner.token(), "GENERIC");
        List<User> firstGrant = recipients(users, "bench-cloud-new", SHARES);
        List<User> moreGrants = recipients(users, "bench-cloud-more", SHARES);
        grantOneEach(owner, moreGrants, new HashMap<>());
        moreGrants.forEach(CloudUsers::awaitApplied);
        CloudUsers.awaitApplied(owner);

        List<Trial> sharesToNew;
        List<Trial> revokesOfOnly;
        List<Trial> sharesToHolders;
        List<Trial> revokesOfSecond;
        long[] sharesAtOnce;
        long[] revokesAtOnce;
        try (ShareChanges changes = ShareChanges.subscribe(graphql, owner.token())) {
            sharesToNew = new ArrayList<>();
            revokesOfOnly = new ArrayList<>();
            oneAtATime(changes, owner, shared, firstGrant, sharesToNew, revokesOfOnly);
            sharesToHolders = new ArrayList<>();
            revokesOfSecond = new ArrayList<>();
            oneAtATime(changes, owner, shared, moreGrants, sharesToHolders, revokesOfSecond);

            Map<String, Long> sent = new ConcurrentHashMap<>();
            sharesAtOnce = atOnce(changes, sent, () -> grantOneEach(owner, firstGrant, sent));
            List<String> granted = new ArrayList<>(sent.keySet());
            sent.clear();
            revokesAtOnce = atOnce(changes, sent, () -> granted.forEach(id -> {
                long now = System.nanoTime();
                revoke(owner, id);
                sent.put(id, now);
            }));
        }
        assertThat(aws.unknownRequests()).isEmpty();

        System.out.printf("%nBENCHMARK cloud-sync-calls: aws mode against FakeAws, 10 calls/s per operation, a pass "
                + "every 1 s, n=%d per row%n%n", SHARES);
        System.out.println("| mutation | recipient | reads | writes | AWS calls by operation |");
        System.out.println("| --- | --- | --- | --- | --- |");
        System.out.println(callsRow("shareAppliance", "no other grant", sharesToNew));
        System.out.println(callsRow("revokeShare", "no other grant left", revokesOfOnly));
        System.out.println(callsRow("shareAppliance", "holds a grant", sharesToHolders));
        System.out.println(callsRow("revokeShare", "keeps that grant", revokesOfSecond));
        System.out.println();
        System.out.println("| one at a time (ms, p50 / p99 / max) | recipient | sent → IN_SYNC received | of which: "
                + "until the pass's first AWS call | its first to last AWS call | last call → received |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        System.out.println(timeRow("shareAppliance", "no other grant", sharesToNew));
        System.out.println(timeRow("revokeShare", "no other grant left", revokesOfOnly));
        System.out.println(timeRow("shareAppliance", "holds a grant", sharesToHolders));
        System.out.println(timeRow("revokeShare", "keeps that grant", revokesOfSecond));
        System.out.println();
        System.out.println("| " + SHARES + " back to back (ms) | recipient | sent → IN_SYNC received, p50 / p99 / max |");
        System.out.println("| --- | --- | --- |");
        System.out.println("| `shareAppliance` | no other grant | " + percentiles(sharesAtOnce) + " |");
        System.out.println("| `revokeShare` | no other grant left | " + percentiles(revokesAtOnce) + " |");
        System.out.println();

        Samples toInSync = Samples.ofNanos(sharesToNew.stream().mapToLong(t -> t.received() - t.sent()).toArray());
        BenchmarkResults.of(7, "cloud-sync-calls", "AWS calls per share")
                .baseline("a blind rewrite of the user's policies, counted from the same documents")
                .conditions(("the real AWS SDK against the local IoT/Cognito endpoint, %d shares and %d revokes one at "
                        + "a time per kind of recipient; the baseline lists the attached policies, detaches and deletes "
                        + "them all, creates and attaches the new ones and writes the tags (one document per user here), "
                        + "leaving the user without access in between").formatted(SHARES, SHARES))
                .figure("calls: share, recipient's first grant", "", BenchmarkResults.Better.LOWER,
                        mean(sharesToNew, t -> total(t.calls())), blindRewrite(0, 1))
                .figure("calls: share, recipient holds a grant", "", BenchmarkResults.Better.LOWER,
                        mean(sharesToHolders, t -> total(t.calls())), blindRewrite(1, 1))
                .figure("writes: share, recipient holds a grant", "", BenchmarkResults.Better.LOWER,
                        mean(sharesToHolders, t -> sum(t.calls(), true)), blindRewrite(1, 1) - 1)
                .figure("calls: revoke of the last grant", "", BenchmarkResults.Better.LOWER,
                        mean(revokesOfOnly, t -> total(t.calls())), blindRewrite(1, 0))
                .detail("share → IN_SYNC on the owner's subscription", "p50 %,.0f ms, p99 %,.0f ms (a reconciler pass every second)"
                        .formatted(toInSync.p50(), toInSync.p99()))
                .write();
    }

    /**
     * What a sync without reads would call to replace {@code before} documents with {@code after}: list what is
     * attached, detach and delete each old one (a policy cannot be replaced in place without versions), create and
     * attach each new one, write the tags.
     */
    private static int blindRewrite(int before, int after) {
        return 1 + 2 * before + 2 * after + 1;
    }

    private static double mean(List<Trial> trials, ToIntFunction<Trial> count) {
        return trials.stream().mapToInt(count).average().orElseThrow();
    }

    private static int total(Map<CloudOperation, Integer> calls) {
        return calls.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static List<User> recipients(CloudUsers users, String prefix, int count) {
        return users.withIdentity(prefix, count).stream().map(CloudUsers.WithIdentity::user).toList();
    }

    /**
     * A FAMILY share of a new appliance (one per {@value #PER_APPLIANCE} recipients) to each recipient, recording
     * each share's send time in {@code sent}.
     */
    private static void grantOneEach(User owner, List<User> recipients, Map<String, Long> sent) {
        Appliances.Claimed appliance = null;
        for (int i = 0; i < recipients.size(); i++) {
            if (i % PER_APPLIANCE == 0) {
                appliance = Appliances.claimed(owner.token(), "GENERIC");
            }
            long now = System.nanoTime();
            sent.put(Appliances.share(owner.token(), appliance.id(), recipients.get(i).email(), "FAMILY"), now);
        }
    }

    /** Each recipient gets {@code appliance} shared, then revoked, each mutation awaited before the next. */
    private void oneAtATime(ShareChanges changes, User owner, Appliances.Claimed appliance, List<User> recipients,
            List<Trial> shares, List<Trial> revokes) throws InterruptedException {
        for (User recipient : recipients) {
            aws.resetCalls();
            long sent = System.nanoTime();
            String shareId = Appliances.share(owner.token(), appliance.id(), recipient.email(), "FAMILY");
            shares.add(trial(sent, changes, shareId));

            aws.resetCalls();
            sent = System.nanoTime();
            revoke(owner, shareId);
            revokes.add(trial(sent, changes, shareId));
        }
    }

    private Trial trial(long sent, ShareChanges changes, String shareId) throws InterruptedException {
        long received = inSync(changes, shareId).received();
        List<FakeAws.Call> log = aws.callLog();
        assertThat(log).as("a mutation that changes access makes AWS calls").isNotEmpty();
        LongSummaryStatistics arrivals = log.stream().mapToLong(FakeAws.Call::arrivedNanos).summaryStatistics();
        return new Trial(aws.callCounts(), sent, arrivals.getMin(), arrivals.getMax(), received);
    }

    /**
     * Sends the mutations from another thread, back to back ({@code send} records each share's send time in
     * {@code sent}), while this one takes each IN_SYNC as it arrives: the time from each send to its IN_SYNC, sorted.
     */
    private static long[] atOnce(ShareChanges changes, Map<String, Long> sent, Runnable send) throws Exception {
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<?> sending = sender.submit(send);
            Map<String, Long> received = new HashMap<>();
            while (received.size() < SHARES) {
                Synced synced = inSync(changes, null);
                received.put(synced.shareId(), synced.received());
            }
            sending.get();
            return received.entrySet().stream().mapToLong(e -> e.getValue() - sent.get(e.getKey())).sorted()
                    .toArray();
        } finally {
            sender.shutdownNow();
        }
    }

    private record Synced(String shareId, long received) {
    }

    /** The next SHARE_CLOUD_SYNC (of {@code shareId}, or any), which must say IN_SYNC. */
    private static Synced inSync(ShareChanges changes, String shareId) throws InterruptedException {
        JsonObject synced = changes.next(CLOUD_SYNC, shareId);
        long received = System.nanoTime();
        assertThat(synced.getString("cloudSync")).as(synced.encode()).isEqualTo("IN_SYNC");
        return new Synced(synced.getString("shareId"), received);
    }

    private static void revoke(User owner, String shareId) {
        GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status } }", Map.of("s", shareId))
                .then().statusCode(200).body("errors", nullValue());
    }

    private static String callsRow(String mutation, String recipient, List<Trial> trials) {
        StringJoiner byOperation = new StringJoiner(", ");
        for (CloudOperation operation : CloudOperation.values()) {
            String range = range(trials, trial -> trial.calls().getOrDefault(operation, 0));
            if (!range.equals("0")) {
                byOperation.add(operation.awsName() + " " + range);
            }
        }
        return "| `" + mutation + "` | " + recipient + " | " + range(trials, trial -> sum(trial.calls(), false))
                + " | " + range(trials, trial -> sum(trial.calls(), true)) + " | " + byOperation + " |";
    }

    /** The count if every trial made the same, else min–max. */
    private static String range(List<Trial> trials, ToIntFunction<Trial> count) {
        int min = trials.stream().mapToInt(count).min().orElse(0);
        int max = trials.stream().mapToInt(count).max().orElse(0);
        return min == max ? String.valueOf(min) : min + "–" + max;
    }

    private static int sum(Map<CloudOperation, Integer> calls, boolean writes) {
        return calls.entrySet().stream().filter(e -> e.getKey().isWrite() == writes).mapToInt(Map.Entry::getValue)
                .sum();
    }

    /** End to end, then its three parts: waiting for a pass, the pass's AWS calls, settling and delivering. */
    private static String timeRow(String mutation, String recipient, List<Trial> trials) {
        return "| `" + mutation + "` | " + recipient + " | "
                + percentiles(trials, trial -> trial.received() - trial.sent()) + " | "
                + percentiles(trials, trial -> trial.firstCall() - trial.sent()) + " | "
                + percentiles(trials, trial -> trial.lastCall() - trial.firstCall()) + " | "
                + percentiles(trials, trial -> trial.received() - trial.lastCall()) + " |";
    }

    private static String percentiles(List<Trial> trials, ToLongFunction<Trial> nanos) {
        return percentiles(trials.stream().mapToLong(nanos).sorted().toArray());
    }

    /** p50 / p99 / max of sorted nanoseconds, in ms. */
    private static String percentiles(long[] sorted) {
        int n = sorted.length;
        return String.format("%.0f / %.0f / %.0f", ms(sorted[n / 2]),
                ms(sorted[Math.max(0, (int) Math.ceil(n * 0.99) - 1)]), ms(sorted[n - 1]));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
