package dev.appliancesync.cloud.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.cloud.CloudConfig;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.gateway.CloudRejectedException;
import dev.appliancesync.cloud.policy.IotPolicyCompiler;
import dev.appliancesync.cloud.reconcile.CloudConverger;
import dev.appliancesync.cloud.reconcile.CloudSnapshot;
import dev.appliancesync.cloud.reconcile.ConvergeResult;
import dev.appliancesync.cloud.reconcile.DesiredCloudAccess;
import dev.appliancesync.cloud.reconcile.DesiredPolicy;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.retry.Backoff;
import dev.appliancesync.sharing.CloudSyncStatus;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Applies the outbox ({@code cloud_sync_state}) to AWS: for each user whose desired generation is ahead of the applied
 * one, converge IoT Core (policies, versions, attachments to their Cognito identity) and their Cognito attributes
 * (principal tags), then record the generation and tell the shares' people (SHARE_CLOUD_SYNC on shareChanges).
 * <p>
 * Runs on a thread of its own (the AWS SDK blocks). Rows are leased, not locked across AWS calls: an instance claims
 * due rows by pushing their next attempt past a lease, so instances share the work and a killed instance's rows come
 * due again when the lease runs out; the converge compares with what AWS has, so doing a row twice changes nothing.
 * Throttling and AWS-side failures were already retried by the gateway; what still fails comes back later with
 * exponential backoff. A refusal (a quota, a malformed policy) marks the user FAILED with AWS's reason. The drift
 * check puts users that are in sync back in the queue now and then, which repairs anything changed behind our back.
 * <p>
 * A detached policy is found by no later ListAttachedPolicies, so each row keeps the names of our policies that may
 * still exist ({@code known_policies}) and hands them to every converge as former policies: a delete IoT Core held
 * back after the detach is done by the next drift check, and one a dying pass never reached by the next pass.
 */
@ApplicationScoped
public class CloudReconciler {

    private static final Logger LOG = Logger.getLogger(CloudReconciler.class);

    /**
     * Records, before any AWS call, that the generation's policies may come to exist (see known_policies), and takes
     * out what the last pass left (applied_cloud): only a pass that ends well puts it back (see V13).
     */
    private static final String CLAIM = """
            update cloud_sync_state s set next_attempt_at = now() + make_interval(secs => $2),
                known_policies = array(select unnest(s.known_policies)
                                       union select p ->> 'name' from jsonb_array_elements(s.desired_policies) p),
                applied_cloud = null
            from (select user_id, applied_cloud from cloud_sync_state
                  where status <> 'IN_SYNC' and next_attempt_at <= now()
                  -- real changes before drift checks (which only re-read what is already applied)
                  order by desired_generation > applied_generation desc, next_attempt_at
                  limit $1 for update skip locked) due, app_user u
            where s.user_id = due.user_id and u.id = s.user_id
            returning s.user_id, s.desired_generation, s.applied_generation, s.attempts, s.desired_policies,
                      s.desired_tags, s.retired_identities, s.known_policies, u.cognito_identity_id, u.username,
                      due.applied_cloud""";
    private static final String APPLIED = """
            update cloud_sync_state set applied_generation = greatest(applied_generation, $2),
                status = case when desired_generation <= $2 then 'IN_SYNC' else 'PENDING' end,
                attempts = 0, last_error = null, retired_identities = array(
                    select unnest(retired_identities) except select unnest($3::text[])),
                known_policies = $4::text[], applied_cloud = $5,
                next_attempt_at = case when desired_generation <= $2 then null else now() end, updated_at = now()
            where user_id = $1""";
    private static final String REFUSED = """
            update cloud_sync_state set status = 'FAILED', attempts = attempts + 1, last_error = left($3, 2000),
                next_attempt_at = now() + make_interval(secs => $4), updated_at = now()
            where user_id = $1 and desired_generation = $2""";
    private static final String LATER = """
            update cloud_sync_state set attempts = attempts + 1, last_error = left($2, 2000),
                next_attempt_at = now() + make_interval(secs => $3), updated_at = now()
            where user_id = $1""";
    /** The shares whose generation this outcome settles: applied now, or refused. */
    private static final String SETTLED_SHARES = """
            select id, appliance_id, household_id, recipient_id, granted_by from share
            where recipient_id = $1 and cloud_sync_generation > $2 and cloud_sync_generation <= $3""";
    private static final String DRIFT_CHECK = """
            update cloud_sync_state set status = 'PENDING', next_attempt_at = now()
            where status = 'IN_SYNC' and applied_generation > 0 and updated_at < now() - make_interval(secs => $1)""";
    private static final String QUEUE_DEPTH = "select count(*) as due from cloud_sync_state where status <> 'IN_SYNC'";
    private static final String ATTRIBUTE_PREFIX = "custom:";

    private final Transactions db;
    private final ChangeLog changes;
    private final CloudConverger converger;
    private final CloudConfig config;
    private final Counter applied;
    private final Counter failed;
    private final Counter retried;
    private final Counter driftRepaired;
    private final AtomicLong queueDepth = new AtomicLong();
    private ScheduledExecutorService worker;
    private long lastDriftCheck = System.nanoTime();

    public CloudReconciler(Transactions db, ChangeLog changes, CloudConverger converger, CloudConfig config,
            ServiceMetrics metrics) {
        this.db = db;
        this.changes = changes;
        this.converger = converger;
        this.config = config;
        this.applied = metrics.cloudSyncApplied();
        this.failed = metrics.cloudSyncFailed();
        this.retried = metrics.cloudSyncRetried();
        this.driftRepaired = metrics.cloudSyncDriftRepaired();
        metrics.cloudSyncQueue(queueDepth);
    }

    void start(@Observes StartupEvent started) {
        if (!config.reconcile().enabled()) {
            LOG.info("Cloud access reconciler is off (appliance-sync.cloud.reconcile.enabled=false)");
            return;
        }
        worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cloud-reconciler");
            thread.setDaemon(true);
            return thread;
        });
        long every = config.reconcile().interval().toMillis();
        worker.scheduleWithFixedDelay(this::runSafely, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    /** One pass: the drift check when due, then every due user, a batch at a time. Visible for tests. */
    public int runOnce() {
        if (System.nanoTime() - lastDriftCheck > config.reconcile().driftCheckInterval().toNanos()) {
            lastDriftCheck = System.nanoTime();
            await(db.reads().preparedQuery(DRIFT_CHECK)
                    .execute(Tuple.of(config.reconcile().driftCheckInterval().toSeconds())));
        }
        long started = System.nanoTime();
        int done = 0;
        List<Due> due;
        do {
            due = claim();
            for (Due user : due) {
                reconcile(user);
                done++;
            }
        } while (due.size() == config.reconcile().batchSize());
        queueDepth.set(await(db.reads().preparedQuery(QUEUE_DEPTH).execute()).iterator().next().getLong("due"));
        if (done > 0) {
            LOG.debugf("Cloud access: %d users reconciled in %d ms, %d still due", done,
                    (System.nanoTime() - started) / 1_000_000, queueDepth.get());
        }
        return done;
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException failure) {
            LOG.warnf("Cloud access reconciliation pass failed (the next pass retries): %s", failure.toString());
        }
    }

    private List<Due> claim() {
        List<Due> due = new ArrayList<>();
        for (Row row : await(db.reads().preparedQuery(CLAIM).execute(Tuple.of(config.reconcile().batchSize(),
                config.reconcile().lease().toSeconds())))) {
            due.add(Due.from(row, config.policyNamePrefix()));
        }
        return due;
    }

    private void reconcile(Due user) {
        try {
            int repairs = 0;
            Set<String> known = new TreeSet<>();
            user.policies().forEach(policy -> known.add(policy.name()));
            // Identities the user left behind lose this user's policies first; attributes belong to the username.
            for (String retired : user.retiredIdentities()) {
                ConvergeResult result = converger.converge(new DesiredCloudAccess(retired, user.username(),
                        List.of(), Map.of(), user.ourPrefix()));
                repairs += repairs(result);
                known.addAll(result.awaitingDeletion());
            }
            // Without a linked identity there is nothing to attach to yet; the principal tags still apply.
            // Attributes live on the user pool user; an account without a username (not from Cognito) has none.
            Map<String, String> attributes = user.username() == null ? Map.of() : user.attributes();
            CloudSnapshot after = null;
            if (user.identityId() != null) {
                // A drift check (nothing new to apply) reads everything: that is how changes behind our back show.
                CloudSnapshot start = user.appliedGeneration() == user.desiredGeneration() ? null : user.lastApplied();
                ConvergeResult result = converger.converge(new DesiredCloudAccess(user.identityId(), user.username(),
                        user.policies(), attributes, user.ourPrefix(), user.formerPolicies()), start);
                repairs += repairs(result);
                known.addAll(result.awaitingDeletion());
                after = result.after();
            } else {
                known.addAll(user.formerPolicies()); // not looked at: nothing to compare with without an identity
                if (user.username() != null) {
                    repairs += repairs(converger.attributesOnly(user.username(), user.attributes()));
                }
            }
            if (user.appliedGeneration() == user.desiredGeneration() && repairs > 0) {
                driftRepaired.increment();
                LOG.infof("Cloud access of user %s had drifted from ours; repaired with %d writes", user.userId(),
                        repairs);
            }
            settle(user, APPLIED, Tuple.of(user.userId(), user.desiredGeneration(),
                    user.retiredIdentities().toArray(String[]::new), known.toArray(String[]::new),
                    after == null ? null : after.toJson()),
                    CloudSyncStatus.IN_SYNC, null);
            applied.increment();
        } catch (CloudRejectedException refused) {
            failed.increment();
            String reason = refused.getMessage();
            LOG.warnf("AWS refused the cloud access of user %s: %s", user.userId(), reason);
            settle(user, REFUSED, Tuple.of(user.userId(), user.desiredGeneration(), reason,
                    config.reconcile().failedRetry().toSeconds()), CloudSyncStatus.FAILED, reason);
        } catch (RuntimeException unavailable) {
            retried.increment();
            long backoff = backoffSeconds(user.attempts());
            LOG.infof("Cloud access of user %s not applied (%s); next attempt in %d s", user.userId(),
                    unavailable.getMessage(), backoff);
            await(db.reads().preparedQuery(LATER)
                    .execute(Tuple.of(user.userId(), String.valueOf(unavailable.getMessage()), backoff)));
        }
    }

    /** Records the outcome and announces it to the people of each share it settles, in one transaction. */
    private void settle(Due user, String update, Tuple arguments, CloudSyncStatus status, String reason) {
        await(db.inTransaction(tx -> tx.preparedQuery(update).execute(arguments)
                .flatMap(updated -> tx.preparedQuery(SETTLED_SHARES)
                        .execute(Tuple.of(user.userId(), user.appliedGeneration(), user.desiredGeneration())))
                .flatMap(shares -> changes.append(tx, announcements(shares, status, reason)))));
    }

    private static List<Change> announcements(Iterable<Row> shares, CloudSyncStatus status, String reason) {
        List<Change> entries = new ArrayList<>();
        for (Row share : shares) {
            JsonObject payload = new JsonObject().put("shareId", share.getUUID("id").toString())
                    .put("applianceId", text(share.getUUID("appliance_id")))
                    .put("householdId", text(share.getUUID("household_id")))
                    .put("recipientId", share.getUUID("recipient_id").toString())
                    .put("cloudSync", status.name()).put("reason", reason);
            entries.add(Change.forUser(share.getUUID("recipient_id"), ChangeType.SHARE_CLOUD_SYNC, payload));
            if (!share.getUUID("granted_by").equals(share.getUUID("recipient_id"))) {
                entries.add(Change.forUser(share.getUUID("granted_by"), ChangeType.SHARE_CLOUD_SYNC,
                        payload));
            }
        }
        return entries;
    }

    /**
     * The writes that changed what AWS had. Deletions alone only finish an earlier pass (a policy IoT Core would not
     * delete yet, or one a dead pass detached); every repair of drift creates, attaches, detaches or sets something.
     */
    private static int repairs(ConvergeResult result) {
        return result.writes() - result.count(CloudOperation.DELETE_POLICY)
                - result.count(CloudOperation.DELETE_POLICY_VERSION);
    }

    private long backoffSeconds(int attempts) {
        Duration base = Duration.ofSeconds(Math.max(1, config.reconcile().interval().toSeconds()));
        Duration wait = new Backoff(base, config.reconcile().failedRetry(), new java.util.Random()).delay(attempts + 1);
        return Math.max(1, (wait.toMillis() + 999) / 1000); // whole seconds, as LATER schedules them
    }

    private <T> T await(io.smallrye.mutiny.Uni<T> work) {
        return work.await().atMost(Duration.ofSeconds(30));
    }

    private static String text(UUID id) {
        return id == null ? null : id.toString();
    }

    /** A user's row as claimed: what to apply and to whom. */
    record Due(UUID userId, long desiredGeneration, long appliedGeneration, int attempts, List<DesiredPolicy> policies,
            Map<String, String> attributes, List<String> retiredIdentities, Set<String> formerPolicies,
            String identityId, String username, String ourPrefix, CloudSnapshot lastApplied) {

        static Due from(Row row, String policyNamePrefix) {
            List<DesiredPolicy> policies = CloudAccessState.policiesOf(row.getValue("desired_policies")).stream()
                    .map(p -> new DesiredPolicy(p.name(), p.document())).toList();
            Map<String, String> attributes = new java.util.TreeMap<>();
            CloudAccessState.tagsOf(row.getValue("desired_tags"))
                    .forEach((tag, value) -> attributes.put(ATTRIBUTE_PREFIX + tag, value));
            UUID userId = row.getUUID("user_id");
            String ourPrefix = IotPolicyCompiler.userPolicyPrefix(policyNamePrefix, userId.toString());
            // Names from before a change of the prefix are not ours to touch any more.
            Set<String> former = Arrays.stream(row.getArrayOfStrings("known_policies"))
                    .filter(name -> name.startsWith(ourPrefix)).collect(Collectors.toCollection(TreeSet::new));
            return new Due(userId, row.getLong("desired_generation"), row.getLong("applied_generation"),
                    row.getInteger("attempts"), policies, attributes,
                    List.of(row.getArrayOfStrings("retired_identities")), former, row.getString("cognito_identity_id"),
                    row.getString("username"), ourPrefix, CloudSnapshot.fromJson(row.getJsonObject("applied_cloud")));
        }
    }
}
