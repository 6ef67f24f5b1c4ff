package dev.appliancesync.common.db;

import java.util.function.Function;

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

    private final Pool pool;

    public Transactions(Pool pool) {
        this.pool = pool;
    }

    /** Runs {@code work} in one transaction: committed when its Uni succeeds, rolled back when it fails. */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work).onFailure().transform(PgErrors::translate);
    }

    /** For reads that need no transaction (each statement sees committed data). */
    public SqlClient reads() {
        return pool;
    }
}
