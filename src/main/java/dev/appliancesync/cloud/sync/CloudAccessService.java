package dev.appliancesync.cloud.sync;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Decision;
import dev.appliancesync.access.Resource;
import dev.appliancesync.cloud.policy.AccessExplanation;
import dev.appliancesync.cloud.policy.CloudAccessCheck;
import dev.appliancesync.cloud.policy.CompiledPolicy;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.sharing.CloudSyncStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** A user's cloud identity and access: recording the vended Cognito identity, reading the compiled state, explaining it. */
@ApplicationScoped
public class CloudAccessService {

    /** Operators (the default policies: group admin) may inspect anyone's cloud access. */
    public static final String INSPECT = "INSPECT_CLOUD_ACCESS";
    /** The policy variable a Cognito identity's IoT requests carry. */
    private static final String IDENTITY_VARIABLE = "cognito-identity.amazonaws.com:sub";

    private static final String STATE = """
            select u.id, u.cognito_identity_id, c.status, c.desired_generation, c.applied_generation, c.last_error,
                   c.desired_policies, c.desired_tags
            from app_user u left join cloud_sync_state c on c.user_id = u.id where u.id = $1""";
    /** A new identity (or the first): every policy must be attached to it, so a new generation even if unchanged. */
    private static final String NEW_IDENTITY = """
            insert into cloud_sync_state as s (user_id, desired_generation, status, next_attempt_at, retired_identities)
            values ($1, 1, 'PENDING', now(), coalesce($2::text[], '{}'))
            on conflict (user_id) do update set desired_generation = s.desired_generation + 1, status = 'PENDING',
                attempts = 0, last_error = null, next_attempt_at = now(), updated_at = now(),
                retired_identities = s.retired_identities || coalesce($2::text[], '{}')""";

    private final Transactions db;
    private final CloudAccessOutbox outbox;
    private final CloudAccessCheck check;
    private final Authorizer authorizer;
    private final ShareSyncRepository shareSync;

    public CloudAccessService(Transactions db, CloudAccessOutbox outbox, CloudAccessCheck check,
            Authorizer authorizer, ShareSyncRepository shareSync) {
        this.db = db;
        this.outbox = outbox;
        this.check = check;
        this.authorizer = authorizer;
        this.shareSync = shareSync;
    }

    /**
     * Whether IoT Core and Cognito already reflect each of these shares (or their end); read after a mutation's
     * commit, so a share just granted shows PENDING. Only the shares that exist are in the answer.
     */
    public Uni<Map<UUID, CloudSyncStatus>> syncOfShares(List<UUID> shareIds) {
        return shareSync.statuses(db.reads(), shareIds);
    }

    /**
     * Records {@code identityId}, the Cognito identity the service obtained for this user (credential vending): the
     * reconciler attaches the user's IoT policies to it, and detaches them from the identity it replaces. Only ever
     * called with what Cognito answered for the user's own login, never with an id a client sent.
     */
    public Uni<CloudAccessState> useVendedIdentity(UUID userId, String identityId) {
        return db.inTransaction(tx -> tx.preparedQuery(
                        "select cognito_identity_id from app_user where id = $1 for update").execute(Tuple.of(userId))
                .flatMap(rows -> {
                    String previous = rows.iterator().next().getString("cognito_identity_id");
                    if (identityId.equals(previous)) {
                        return Uni.createFrom().voidItem();
                    }
                    return tx.preparedQuery("update app_user set cognito_identity_id = $2 where id = $1")
                            .execute(Tuple.of(userId, identityId))
                            .flatMap(done -> outbox.refresh(tx, Set.of(userId)))
                            .flatMap(done -> tx.preparedQuery(NEW_IDENTITY).execute(Tuple.of(userId,
                                    previous == null ? null : new String[] { previous })))
                            .replaceWithVoid();
                }))
                .flatMap(done -> read(db.reads(), userId));
    }

    /** The caller's own cloud access, or (for operators) anyone's; NOT_FOUND for an unknown user. */
    public Uni<CloudAccessState> state(Caller caller, UUID userId) {
        UUID whose = userId == null ? caller.id() : userId;
        if (!whose.equals(caller.id())) {
            requireInspect(caller);
        }
        return read(db.reads(), whose);
    }

    /**
     * What AWS would decide for this user's request, given the access we want them to have (the compiled policies
     * and tags; AWS may lag behind by the reconciler and by IoT Core's own propagation).
     */
    public Uni<AccessExplanation> explain(Caller caller, UUID userId, String action, String resourceArn) {
        requireInspect(caller);
        return read(db.reads(), userId).map(state -> {
            Map<String, String> variables = new TreeMap<>();
            if (state.identityId() != null) {
                variables.put(IDENTITY_VARIABLE, state.identityId());
            }
            return check.explain(state.desired(), action, resourceArn, variables);
        });
    }

    private void requireInspect(Caller caller) {
        Decision decision = authorizer.session(caller.subject()).decide(INSPECT, new Resource.Fleet(), List.of());
        if (!decision.allowed()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Only operators may inspect another user's cloud access",
                    Map.of("action", INSPECT));
        }
    }

    private static Uni<CloudAccessState> read(SqlClient client, UUID userId) {
        return client.preparedQuery(STATE).execute(Tuple.of(userId)).map(rows -> {
            if (!rows.iterator().hasNext()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "No such user");
            }
            return from(rows.iterator().next(), userId);
        });
    }

    private static CloudAccessState from(Row row, UUID userId) {
        List<CompiledPolicy> policies = CloudAccessState.policiesOf(row.getValue("desired_policies"));
        Map<String, String> tags = CloudAccessState.tagsOf(row.getValue("desired_tags"));
        String status = row.getString("status");
        return new CloudAccessState(userId, row.getString("cognito_identity_id"),
                status == null ? CloudSyncStatus.IN_SYNC : CloudSyncStatus.valueOf(status),
                row.getLong("desired_generation") == null ? 0 : row.getLong("desired_generation"),
                row.getLong("applied_generation") == null ? 0 : row.getLong("applied_generation"),
                row.getString("last_error"), policies, tags);
    }
}
