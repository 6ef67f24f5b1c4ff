package dev.appliancesync.support;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Direct reads of the service's PostgreSQL, to check what a request did (or did not) write. */
@ApplicationScoped
public class Database {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Pool pool;

    public Database(Pool pool) {
        this.pool = pool;
    }

    public long count(String sql, Object... parameters) {
        return number(sql, parameters);
    }

    /** The first column of the first row, e.g. of {@code insert ... returning id}. */
    public long number(String sql, Object... parameters) {
        Row row = pool.preparedQuery(sql).execute(Tuple.from(parameters)).await().atMost(TIMEOUT).iterator().next();
        return row.getLong(0);
    }

    /** The first column of every row, as text. */
    public java.util.List<String> strings(String sql, Object... parameters) {
        java.util.List<String> values = new java.util.ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(parameters)).await().atMost(TIMEOUT)
                .forEach(row -> values.add(row.getValue(0) == null ? null : row.getValue(0).toString()));
        return values;
    }

    public long usersWithSubject(String subject) {
        return count("select count(*) from app_user where subject = $1", subject);
    }

    public long users() {
        return count("select count(*) from app_user");
    }
}
