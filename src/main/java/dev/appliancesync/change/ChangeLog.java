package dev.appliancesync.change;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes change-log entries in the caller's transaction, so a change and its entry commit (or vanish) together, and
 * reads them back for the live fan-out and for catch-up.
 * <p>
 * Reads follow (transaction id, sequence) order and stop below the oldest transaction still running ({@code tx_id <
 * xmin}). Every transaction with a smaller id has ended, so what a read returns is final: nothing can commit later
 * in front of it, and a reader or a cursor that moves past an entry never misses one that appears afterwards.
 * Sequence order alone would not do: a transaction gets its id at its first write, its sequence numbers when it
 * appends here, so one that started writing later can hold lower numbers than one that commits first.
 */
@ApplicationScoped
public class ChangeLog {

    /**
     * All of a transaction's entries in one statement (a batch would be a statement per entry), in the given order:
     * rows are inserted, and take their sequence numbers, in the order of the arrays.
     */
    private static final String INSERT = """
            insert into change_log (audience, user_id, appliance_id, household_id, type, payload)
            select audience, user_id, appliance_id, household_id, type, payload::jsonb
            from unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[]) with ordinality
                as entry(audience, user_id, appliance_id, household_id, type, payload, position)
            order by position""";
    private static final String SETTLED = "tx_id < pg_snapshot_xmin(pg_current_snapshot())";
    /** Entries after the position $1.$2, in log order. */
    private static final String AFTER = "(tx_id, seq) > ($1::text::xid8, $2) and " + SETTLED;
    private static final String READ = "select " + ChangeRecord.COLUMNS + " from change_log where " + AFTER
            + " order by tx_id, seq limit $3";
    /**
     * The same, and the first entry after $1.$2 that is committed but not settled yet (held back behind an older
     * transaction still running), if there is one; both from the one snapshot of the statement.
     */
    private static final String READ_LIVE = """
            (select %1$s, true as settled from change_log where %2$s order by tx_id, seq limit $3)
            union all
            (select %1$s, false from change_log
                where (tx_id, seq) > ($1::text::xid8, $2) and tx_id >= pg_snapshot_xmin(pg_current_snapshot())
                order by tx_id, seq limit 1)""".formatted(ChangeRecord.COLUMNS, AFTER);
    /** One index range per audience, merged: a user's entries are few among everyone's. */
    private static final String READ_FOR = """
            select * from (
                (select %1$s from change_log where user_id = $4 and %2$s order by tx_id, seq limit $3)
                union all
                (select %1$s from change_log where appliance_id = any($5) and %2$s order by tx_id, seq limit $3)
                union all
                (select %1$s from change_log where household_id = any($6) and %2$s order by tx_id, seq limit $3)
            ) mine order by tx_id, seq limit $3""".formatted(ChangeRecord.COLUMNS, AFTER);

    private final ChangeSignal signal;
    private final List<ChangeObserver> observers;

    public ChangeLog(ChangeSignal signal, Instance<ChangeObserver> observers) {
        this.signal = signal;
        this.observers = observers.stream().toList();
    }

    public Uni<Void> append(SqlConnection tx, List<Change> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = changes.size();
        String[] audiences = new String[n];
        UUID[] users = new UUID[n];
        UUID[] appliances = new UUID[n];
        UUID[] households = new UUID[n];
        String[] types = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            audiences[i] = c.audience().name();
            users[i] = c.userId();
            appliances[i] = c.applianceId();
            households[i] = c.householdId();
            types[i] = c.type().name();
            payloads[i] = c.payload() == null ? null : c.payload().encode();
        }
        Uni<Void> appended = tx.preparedQuery(INSERT)
                .execute(Tuple.from(new Object[] { audiences, users, appliances, households, types, payloads }))
                .invoke(() -> signalOnCommit(tx)).replaceWithVoid();
        for (ChangeObserver observer : observers) {
            appended = appended.call(() -> observer.appended(tx, changes));
        }
        return appended;
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

    /** Entries after {@code after}, every audience, in log order, at most {@code limit}. */
    public Uni<List<ChangeRecord>> after(SqlClient client, Position after, int limit) {
        return client.preparedQuery(READ).execute(Tuple.of(Long.toString(after.txId()), after.seq(), limit))
                .map(ChangeLog::records);
    }

    /**
     * What the live feed reads: the next settled entries, and whether a committed entry waits behind them for an
     * older transaction to end. Nothing announces that end when the older transaction appends no entry of its own
     * (an autovacuum's ANALYZE, a NOTIFY, any write outside the log), so a reader told {@code heldBack} reads again
     * soon rather than at its next wake-up.
     */
    public record Settled(List<ChangeRecord> entries, boolean heldBack) {
    }

    /** {@link #after}, and whether entries after those are held back (see {@link Settled}). */
    public Uni<Settled> settledAfter(SqlClient client, Position after, int limit) {
        return client.preparedQuery(READ_LIVE).execute(Tuple.of(Long.toString(after.txId()), after.seq(), limit))
                .map(rows -> {
                    List<ChangeRecord> settled = new ArrayList<>(rows.rowCount());
                    boolean heldBack = false;
                    for (io.vertx.mutiny.sqlclient.Row row : rows) {
                        if (row.getBoolean("settled")) {
                            settled.add(ChangeRecord.from(row));
                        } else {
                            heldBack = true;
                        }
                    }
                    // A union's branches come in no promised order: the log's order is restored here.
                    settled.sort(java.util.Comparator.comparing(ChangeRecord::position));
                    return new Settled(settled, heldBack);
                });
    }

    /**
     * Entries after {@code after} that may concern this user: addressed to them, or of these appliances and
     * households. Whether each one may really be shown is for {@code realtime.ChangeVisibility} to say.
     */
    public Uni<List<ChangeRecord>> afterFor(SqlClient client, Position after, UUID userId,
            Collection<UUID> applianceIds, Collection<UUID> householdIds, int limit) {
        return client.preparedQuery(READ_FOR).execute(Tuple.from(new Object[] { Long.toString(after.txId()),
                after.seq(), limit, userId, applianceIds.toArray(UUID[]::new), householdIds.toArray(UUID[]::new) }))
                .map(ChangeLog::records);
    }

    /** The last settled position: where a reader that starts now begins. */
    public Uni<Position> head(SqlClient client) {
        return client.query("select tx_id::text::bigint as tx_id, seq from change_log where " + SETTLED
                        + " order by tx_id desc, seq desc limit 1").execute()
                .map(rows -> rows.rowCount() == 0 ? Position.START : position(rows.iterator().next()));
    }

    /** The last position retention has deleted: cursors before it have missed entries. */
    public Uni<Position> horizon(SqlClient client) {
        return client.query("select tx_id::text::bigint as tx_id, seq from change_log_horizon").execute()
                .map(rows -> position(rows.iterator().next()));
    }

    /**
     * The log's ends, read together: the horizon (the last position retention has deleted) and the head (the last
     * settled entry).
     */
    public record Ends(Position horizon, Position head) {

        /** The latest position a cursor may name: the head, or the horizon if retention has taken everything. */
        public Position last() {
            return Position.later(head, horizon);
        }

        /**
         * Throws VALIDATION if {@code cursor} is past the end of the log (no cursor this log handed out can be: one
         * from a database restored to an earlier point, or made up, would wait for entries that are not coming), and
         * CURSOR_EXPIRED if retention has deleted entries after it.
         */
        public void require(Position cursor) {
            if (last().isBefore(cursor)) {
                throw ApiException.validation(
                        "This cursor is past the end of the change log: pass a cursor from a change or a page");
            }
            if (cursor.isBefore(horizon)) {
                throw expired(horizon);
            }
        }
    }

    /** Both ends of the log. */
    public Uni<Ends> ends(SqlClient client) {
        return Uni.combine().all().unis(horizon(client), head(client)).asTuple()
                .map(ends -> new Ends(ends.getItem1(), ends.getItem2()));
    }

    /**
     * Fails with CURSOR_EXPIRED if retention has deleted entries after {@code cursor}: a client resuming from it would
     * miss them. Check after reading from it, since retention may run meanwhile.
     */
    public Uni<Void> requireRetained(SqlClient client, Position cursor) {
        return horizon(client).flatMap(horizon -> cursor.isBefore(horizon) ? Uni.createFrom().failure(expired(horizon))
                : Uni.createFrom().voidItem());
    }

    private static ApiException expired(Position horizon) {
        return new ApiException(ErrorCode.CURSOR_EXPIRED,
                "This cursor is older than the retained changes; reload the current state and start again",
                Map.of("oldestCursor", Cursors.of(horizon)));
    }

    /** Deletes entries older than {@code retention} and moves the horizon past them; returns how many went. */
    public Uni<Long> forgetOlderThan(SqlClient client, java.time.Duration retention) {
        return client.preparedQuery("""
                        with gone as (
                            delete from change_log where created_at < now() - make_interval(secs => $1)
                            returning tx_id, seq),
                        last_gone as (
                            select tx_id, seq from gone order by tx_id desc, seq desc limit 1),
                        moved as (
                            update change_log_horizon h set tx_id = l.tx_id, seq = l.seq from last_gone l
                            where (l.tx_id, l.seq) > (h.tx_id, h.seq) returning h.seq)
                        select count(*) as gone from gone""")
                .execute(Tuple.of((double) retention.toSeconds()))
                .map(rows -> rows.iterator().next().getLong("gone"));
    }

    private static Position position(io.vertx.mutiny.sqlclient.Row row) {
        return new Position(row.getLong("tx_id"), row.getLong("seq"));
    }

    private static List<ChangeRecord> records(RowSet<io.vertx.mutiny.sqlclient.Row> rows) {
        List<ChangeRecord> records = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> records.add(ChangeRecord.from(row)));
        return records;
    }
}
