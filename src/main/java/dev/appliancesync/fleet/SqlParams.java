package dev.appliancesync.fleet;

import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The values of one dynamically written statement, bound in order: every value a caller sends reaches PostgreSQL as a
 * parameter ($n), never as text of the statement.
 */
final class SqlParams {

    private final List<Object> values = new ArrayList<>();

    /** Binds {@code value} and returns its placeholder. */
    String bind(Object value) {
        values.add(value);
        return "$" + values.size();
    }

    Tuple tuple() {
        return Tuple.from(values);
    }

    int size() {
        return values.size();
    }
}
