package dev.appliancesync.common.db;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The one way services reach PostgreSQL. Plain SQL on the reactive client, no ORM session: GraphQL resolves sibling
 * fields concurrently, and a pooled connection per call is safe where a shared reactive session is not.
 */
@ApplicationScoped
public class Transactions {

    /** Work that must see everything a transaction wrote, and be part of it: it runs last, before the commit. */
    public interface BeforeCommit {
        Uni<Void> run(SqlConnection tx);
    }

    private final Pool pool;
    /** The before-commit steps of each open transaction, by kind (one instance of a kind per transaction). */
    private final Map<SqlConnection, Map<Class<?>, BeforeCommit>> open = new ConcurrentHashMap<>();

    public Transactions(Pool pool) {
        this.pool = pool;
    }

    /** Runs {@code work} in one transaction: committed when its Uni succeeds, rolled back when it fails. */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(tx -> {
            open.put(tx, new LinkedHashMap<>());
            return work.apply(tx)
                    .call(() -> runBeforeCommit(tx))
                    .eventually(() -> open.remove(tx));
        }).onFailure().transform(PgErrors::translate);
    }

    /**
     * This transaction's step of {@code kind}, created on first use; it runs once, after the transaction's work and
     * before its commit, and a failure rolls the transaction back. Empty when {@code tx} is not a transaction of
     * {@link #inTransaction}.
     */
    public <T extends BeforeCommit> Optional<T> beforeCommit(SqlConnection tx, Class<T> kind, Supplier<T> create) {
        Map<Class<?>, BeforeCommit> steps = open.get(tx);
        if (steps == null) {
            return Optional.empty();
        }
        synchronized (steps) {
            return Optional.of(kind.cast(steps.computeIfAbsent(kind, k -> create.get())));
        }
    }

    /** For reads that need no transaction (each statement sees committed data). */
    public SqlClient reads() {
        return pool;
    }

    private Uni<Void> runBeforeCommit(SqlConnection tx) {
        Map<Class<?>, BeforeCommit> steps = open.get(tx);
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (BeforeCommit step : java.util.List.copyOf(steps.values())) {
            chain = chain.call(() -> step.run(tx));
        }
        return chain;
    }
}
