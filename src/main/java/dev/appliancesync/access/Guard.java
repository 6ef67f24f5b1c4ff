package dev.appliancesync.access;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The gate of every access to one appliance or household. A change loads and locks the resource, then lets
 * {@link AccessGate} decide and audit, all in the change's transaction; a read ({@link #view}) loads it without a
 * lock and writes nothing, so reads never queue behind or ahead of the owner's changes.
 */
@ApplicationScoped
public class Guard {

    /** What a guarded change works with: its transaction, the caller's session and the resource, locked. */
    public record Locked<T>(SqlConnection tx, Authorizer.Session session, T resource) {
    }

    private final Transactions db;
    private final Authorizer authorizer;
    private final AccessGate gate;

    public Guard(Transactions db, Authorizer authorizer, AccessGate gate) {
        this.db = db;
        this.authorizer = authorizer;
        this.gate = gate;
    }

    /** One transaction: the resource locked, {@code action} decided and audited, then {@code work}. */
    public <T, R> Uni<R> change(Subject caller, GuardedResources<T> kind, UUID id, GuardedAction action,
            Function<Locked<T>, Uni<R>> work) {
        return change(caller, kind, id, action, Map.of(), work);
    }

    /** As {@link #change(Subject, GuardedResources, UUID, GuardedAction, Function)}; {@code facts} go to the policies. */
    public <T, R> Uni<R> change(Subject caller, GuardedResources<T> kind, UUID id, GuardedAction action,
            Map<String, String> facts, Function<Locked<T>, Uni<R>> work) {
        return changeLockedFirst(caller, kind, id, action, tx -> Uni.createFrom().item(facts), work);
    }

    /** As {@link #change}, with facts read under the lock (see {@link #requireLockedFirst}). */
    public <T, R> Uni<R> changeLockedFirst(Subject caller, GuardedResources<T> kind, UUID id, GuardedAction action,
            Function<SqlConnection, Uni<Map<String, String>>> factsReadUnderLock, Function<Locked<T>, Uni<R>> work) {
        Authorizer.Session session = authorizer.session(caller);
        return db.inTransaction(tx -> decideLocked(tx, session, kind, id, action, () -> factsReadUnderLock.apply(tx),
                resource -> work.apply(new Locked<>(tx, session, resource))));
    }

    /** Inside a transaction already open: loads the resource locked for it and checks {@code action}. */
    public <T> Uni<T> require(SqlConnection tx, Authorizer.Session session, GuardedResources<T> kind, UUID id,
            GuardedAction action, Map<String, String> facts) {
        return requireLockedFirst(tx, session, kind, id, action, () -> Uni.createFrom().item(facts));
    }

    /**
     * Like {@link #require}, for decisions on facts that concurrent changes alter (a household member's current
     * role): the facts are read only once the row is locked, so every other change of the resource, which passes
     * through here too, waits until this transaction has decided and acted. Read before the lock, a role change
     * committed in between would slip past the decision.
     */
    public <T> Uni<T> requireLockedFirst(SqlConnection tx, Authorizer.Session session, GuardedResources<T> kind,
            UUID id, GuardedAction action, Supplier<Uni<Map<String, String>>> factsReadUnderLock) {
        return decideLocked(tx, session, kind, id, action, factsReadUnderLock, resource -> Uni.createFrom().item(resource));
    }

    /** The resource locked, {@code action} decided and audited; then {@code work}, sent along with the audit row. */
    private <T, R> Uni<R> decideLocked(SqlConnection tx, Authorizer.Session session, GuardedResources<T> kind, UUID id,
            GuardedAction action, Supplier<Uni<Map<String, String>>> factsReadUnderLock, Function<T, Uni<R>> work) {
        return kind.find(tx, session.subject().userId(), id, true).flatMap(found -> {
            if (found.isEmpty()) {
                return gate.missing(session, kind.kind(), id, action.name());
            }
            T resource = found.get();
            return factsReadUnderLock.get().flatMap(facts -> gate.require(tx, session, kind.target(resource),
                    action.name(), facts, () -> work.apply(resource)));
        });
    }

    /** The resource if the caller may do {@code action} on it; for reads: no row lock, no audit row. */
    public <T> Uni<T> view(SqlClient client, Authorizer.Session session, GuardedResources<T> kind, UUID id,
            GuardedAction action) {
        return kind.find(client, session.subject().userId(), id, false).map(found -> {
            T resource = found.orElseThrow(() -> gate.readMissing(kind.kind()));
            gate.check(session, kind.target(resource), action.name());
            return resource;
        });
    }
}
