package dev.appliancesync.cloud.sync;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeObserver;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.cloud.policy.CompiledAccess;
import dev.appliancesync.cloud.policy.IotPolicyCompiler;
import dev.appliancesync.cloud.policy.QuotaExceededException;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The cloud side of every access change, written in the change's own transaction: for each user whose grants it may
 * have changed, the IoT policies and principal tags they should have now ({@code cloud_sync_state}, a new desired
 * generation when they differ), and the generation each share touched in the transaction waits for. The
 * {@link CloudReconciler} applies it later; a grant that does not fit the cloud's quotas fails its mutation here
 * with QUOTA_EXCEEDED instead.
 * <p>
 * It hangs off the change log: every access change already writes an entry there in its transaction, so no service
 * has to remember to call this. Users are resolved when the transaction's work is done (everything written), from
 * the entries' user, appliance and household.
 */
@ApplicationScoped
public class CloudAccessOutbox implements ChangeObserver {

    /** Everyone linked to these appliances or households now: owners, share recipients, household members. */
    private static final String LINKED_USERS = """
            select owner_id as user_id from appliance where id = any($1) and owner_id is not null
            union select recipient_id from share where appliance_id = any($1) and revoked_at is null
            union select s.recipient_id from share s join appliance a on a.household_id = s.household_id
                where a.id = any($1) and s.revoked_at is null
            union select h.owner_id from household h join appliance a on a.household_id = h.id where a.id = any($1)
            union select recipient_id from share where household_id = any($2) and revoked_at is null
            union select owner_id from household where id = any($2)""";
    /** A transaction-scoped lock on one user's compiled access (a hash collision only serialises two users). */
    private static final String LOCK_USER = "select pg_advisory_xact_lock(hashtextextended('cloud-access:' || $1, 0))";
    /**
     * In one statement: the user's desired state, a new generation when it differs, and that generation on each share
     * of theirs this transaction granted, changed or ended (when nothing differs, the generation they already have).
     * The update reads cloud_sync_state as it was before the statement, hence the saved generation first.
     */
    private static final String SAVE_DESIRED = """
            with saved as (
                insert into cloud_sync_state as s (user_id, desired_generation, desired_policies, desired_tags, status,
                                                   next_attempt_at, updated_at)
                values ($1, 1, $2, $3, 'PENDING', now(), now())
                on conflict (user_id) do update set desired_generation = s.desired_generation + 1,
                    desired_policies = excluded.desired_policies, desired_tags = excluded.desired_tags,
                    status = 'PENDING', attempts = 0, last_error = null, next_attempt_at = now(), updated_at = now()
                where s.desired_policies is distinct from excluded.desired_policies
                   or s.desired_tags is distinct from excluded.desired_tags
                returning desired_generation)
            update share set cloud_sync_generation = coalesce((select desired_generation from saved),
                    (select desired_generation from cloud_sync_state where user_id = $1))
            where recipient_id = $1 and updated_at = now()""";

    /** Entries about one share, whose facts name its recipient ({@code sharing.ShareFacts}). */
    private static final Set<ChangeType> SHARE_ENTRIES = EnumSet.of(ChangeType.SHARE_GRANTED, ChangeType.SHARE_UPDATED,
            ChangeType.SHARE_REVOKED, ChangeType.SHARE_EXPIRED);

    private final Transactions db;
    private final CloudGrantsReader grants;
    private final IotPolicyCompiler compiler;
    private final CloudPolicyTarget target;

    public CloudAccessOutbox(Transactions db, CloudGrantsReader grants, IotPolicyCompiler compiler,
            CloudPolicyTarget target) {
        this.db = db;
        this.grants = grants;
        this.compiler = compiler;
        this.target = target;
    }

    @Override
    public Uni<Void> appended(SqlConnection tx, List<Change> changes) {
        List<Change> accessChanges = changes.stream().filter(change -> change.type().changesAccess()).toList();
        if (accessChanges.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return db.beforeCommit(tx, Pending.class, () -> new Pending(this))
                .map(pending -> {
                    pending.add(accessChanges);
                    return Uni.createFrom().voidItem();
                })
                .orElseGet(() -> {
                    Pending now = new Pending(this);
                    now.add(accessChanges);
                    return now.run(tx);
                });
    }

    /** Brings the desired cloud state of these users up to date, in {@code tx}. */
    public Uni<Void> refresh(SqlConnection tx, Set<UUID> userIds) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID userId : new TreeSet<>(userIds)) { // one order everywhere: concurrent refreshes never deadlock
            chain = chain.call(() -> refreshOne(tx, userId));
        }
        return chain;
    }

    private Uni<Void> refreshOne(SqlConnection tx, UUID userId) {
        // Serialises compiling one user's access: a transaction that read the grants while another one changing them
        // had not committed would overwrite that one's result with less (or keep a revoked grant). Once the lock is
        // ours, the reads below (read committed: a snapshot per statement) see every commit before us.
        // The reads go out right behind the lock, without waiting for it: the connection runs them in order, so each
        // takes its snapshot once the lock is held, and the three cost one round trip.
        Uni<?> locked = tx.preparedQuery(LOCK_USER).execute(Tuple.of(userId.toString()));
        return Uni.combine().all().unis(locked, grants.read(tx, userId)).asTuple().map(Tuple2::getItem2)
                .flatMap(userGrants -> {
            CompiledAccess compiled;
            try {
                compiled = compiler.compile(userGrants, target.get());
            } catch (QuotaExceededException exceeded) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.QUOTA_EXCEEDED,
                        "This change would give a user more IoT Core access than fits: " + exceeded.getMessage()
                                + ". Appliances in a household cost one statement for the whole household: assign "
                                + "them to one (assignApplianceToHousehold)",
                        Map.of("limit", "IOT_POLICIES", "userId", userId.toString())));
            }
            JsonArray policies = new JsonArray();
            compiled.policies().forEach(p -> policies.add(new JsonObject().put("name", p.name())
                    .put("document", p.document())));
            JsonObject tags = new JsonObject(new java.util.TreeMap<>(compiled.principalTags()));
            return tx.preparedQuery(SAVE_DESIRED).execute(Tuple.of(userId, policies, tags)).replaceWithVoid();
        });
    }

    /** The users, appliances and households one transaction's access changes touched. */
    static final class Pending implements Transactions.BeforeCommit {
        private final CloudAccessOutbox outbox;
        private final Set<UUID> users = new TreeSet<>();
        private final Set<UUID> appliances = new TreeSet<>();
        private final Set<UUID> households = new TreeSet<>();

        Pending(CloudAccessOutbox outbox) {
            this.outbox = outbox;
        }

        synchronized void add(List<Change> changes) {
            for (Change change : changes) {
                switch (change.audience()) {
                    case USER -> users.add(whoseAccess(change));
                    case APPLIANCE -> appliances.add(change.applianceId());
                    case HOUSEHOLD -> households.add(change.householdId());
                }
            }
        }

        /**
         * A share's entry goes to its recipient, the owner and whoever acted, but it changes the recipient's access
         * alone: refreshing the others would compile, and store, what they have already. An entry whose facts do not
         * name the recipient (an appliance leaving its owner) counts for its addressee, as every other entry does.
         */
        private static UUID whoseAccess(Change change) {
            String recipient = SHARE_ENTRIES.contains(change.type()) && change.payload() != null
                    ? change.payload().getString("recipientId") : null;
            return recipient == null ? change.userId() : UUID.fromString(recipient);
        }

        @Override
        public Uni<Void> run(SqlConnection tx) {
            Set<UUID> everyone;
            UUID[] applianceIds;
            UUID[] householdIds;
            synchronized (this) {
                everyone = new TreeSet<>(users);
                applianceIds = appliances.toArray(UUID[]::new);
                householdIds = households.toArray(UUID[]::new);
            }
            Uni<Void> linked = applianceIds.length == 0 && householdIds.length == 0 ? Uni.createFrom().voidItem()
                    : tx.preparedQuery(LINKED_USERS).execute(Tuple.of(applianceIds, householdIds))
                            .invoke(rows -> rows.forEach(row -> everyone.add(row.getUUID("user_id"))))
                            .replaceWithVoid();
            return linked.chain(() -> outbox.refresh(tx, everyone));
        }
    }
}
