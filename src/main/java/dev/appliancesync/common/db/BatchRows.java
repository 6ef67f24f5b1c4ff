package dev.appliancesync.common.db;

import java.util.ArrayList;
import java.util.List;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/** The rows {@code executeBatch} returned: one result per statement, chained with {@code next()}. */
public final class BatchRows {

    private BatchRows() {
    }

    /** Every row of every statement of the batch, in order. */
    public static List<Row> of(RowSet<Row> results) {
        List<Row> rows = new ArrayList<>();
        for (RowSet<Row> result = results; result != null; result = result.next()) {
            result.forEach(rows::add);
        }
        return rows;
    }
}
