package dev.appliancesync.realtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes change-log entries in the caller's transaction, so a change and its entry commit (or vanish) together, and
 * reads them back in sequence order for the live fan-out and for catch-up.
 * <p>
 * Sequence numbers are taken when a row is inserted, not when it commits: a later number can become visible before an
 * earlier one. Reads therefore stop below the oldest transaction still running ({@code tx_id < xmin}); whatever is
 * held back comes with a later read, and a cursor never jumps over an entry that is still to appear.
 */
@ApplicationScoped
public class ChangeLog {

    private static final String INSERT = """
            insert into change_log (audience, user_id, appliance_id, household_id, type, payload)
            values ($1, $2, $3, $4, $5, $6)""";
    private static final String SETTLED = "tx_id < pg_snapshot_xmin(pg_current_snapshot())";
    private static final String AFTER = "select " + ChangeRecord.COLUMNS + " from change_log where seq > $1 and "
            + SETTLED + " order by seq limit $2";
    private static final String AFTER_FOR = "select " + ChangeRecord.COLUMNS + """
             from change_log
            where seq > $1 and %s
              and (user_id = $2 or appliance_id = any($3) or household_id = any($4))
            order by seq limit $5""".formatted(SETTLED);

    private final ChangeSignal signal;

    public ChangeLog(ChangeSignal signal) {
        this.signal = signal;
    }

    public Uni<Void> append(SqlConnection tx, List<Change> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = changes.stream()
                .map(c -> Tuple.from(new Object[] { c.audience(), c.userId(), c.applianceId(), c.householdId(), c.type(),
                        c.payload() }))
                .toList();
        return tx.preparedQuery(INSERT).executeBatch(rows).invoke(() -> signalOnCommit(tx)).replaceWithVoid();
    }

    public Uni<Void> append(SqlConnection tx, Change... changes) {
        return append(tx, List.of(changes));
    }

    private void signalOnCommit(SqlConnection tx) {
        Transaction transaction = tx.transaction();
        if (transaction == null) {
            signal.committed();
            return;
        }
        transaction.completion().subscribe().with(committed -> signal.committed(), rolledBack -> { });
    }

    /** Entries after {@code afterSeq}, every audience, oldest first, at most {@code limit}. */
    public Uni<List<ChangeRecord>> after(SqlClient client, long afterSeq, int limit) {
        return client.preparedQuery(AFTER).execute(Tuple.of(afterSeq, limit)).map(ChangeLog::records);
    }

    /**
     * Entries after {@code afterSeq} that may concern this user: addressed to them, or of these appliances and
     * households. Whether each one may really be shown is for {@link ChangeVisibility} to say.
     */
    public Uni<List<ChangeRecord>> afterFor(SqlClient client, long afterSeq, UUID userId,
            Collection<UUID> applianceIds, Collection<UUID> householdIds, int limit) {
        return client.preparedQuery(AFTER_FOR).execute(Tuple.from(new Object[] { afterSeq, userId,
                applianceIds.toArray(UUID[]::new), householdIds.toArray(UUID[]::new), limit }))
                .map(ChangeLog::records);
    }

    /** The newest settled sequence number: where a reader that starts now begins. */
    public Uni<Long> head(SqlClient client) {
        return client.query("select coalesce(max(seq), 0) as head from change_log where " + SETTLED).execute()
                .map(rows -> rows.iterator().next().getLong("head"));
    }

    /** The highest sequence number retention has deleted: cursors below it have missed entries. */
    public Uni<Long> horizon(SqlClient client) {
        return client.query("select seq from change_log_horizon").execute()
                .map(rows -> rows.iterator().next().getLong("seq"));
    }

    /** Deletes entries older than {@code retention} and moves the horizon past them; returns how many went. */
    public Uni<Long> forgetOlderThan(SqlClient client, java.time.Duration retention) {
        return client.preparedQuery("""
                        with gone as (
                            delete from change_log where created_at < now() - make_interval(secs => $1) returning seq),
                        moved as (
                            update change_log_horizon set seq = greatest(seq, (select max(seq) from gone))
                            where exists (select 1 from gone) returning seq)
                        select count(*) as gone from gone""")
                .execute(Tuple.of((double) retention.toSeconds()))
                .map(rows -> rows.iterator().next().getLong("gone"));
    }

    private static List<ChangeRecord> records(RowSet<io.vertx.mutiny.sqlclient.Row> rows) {
        List<ChangeRecord> records = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> records.add(ChangeRecord.from(row)));
        return records;
    }
}
