package dev.appliancesync.cloud.view;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The view publisher's place in the change log (table {@code view_relay_cursor}), held as a lease: one instance at a
 * time publishes, and a holder that dies or stalls loses it when its lease runs out. Every statement is a single
 * autocommitted update that names its holder, so a holder that lost the lease can neither move the position nor
 * renew: whoever took it over decides from then on.
 */
@ApplicationScoped
public class ViewCursor {

    /**
     * Takes the lease if it is free, has run out, or is already ours. Concurrent takers queue on the row lock and
     * re-check the condition on the row as the winner left it, so only one of them gets it.
     */
    private static final String TAKE = """
            update view_relay_cursor set holder = $1, lease_until = now() + make_interval(secs => $2)
            where singleton and (holder = $1 or holder is null or lease_until <= now())
            returning tx_id::text::bigint as tx_id, seq""";
    /** Never backwards: a slower pass of the same holder that finishes late leaves a later position as it is. */
    private static final String MOVE = """
            update view_relay_cursor set
                tx_id = case when %1$s then $2::text::xid8 else tx_id end,
                seq = case when %1$s then $3 else seq end,
                lease_until = now() + make_interval(secs => $4)
            where singleton and holder = $1
            returning seq""".formatted("(tx_id is null or (tx_id, seq) < ($2::text::xid8, $3))");
    private static final String RELEASE = "update view_relay_cursor set lease_until = now() where holder = $1";

    /** The lease, as a holder took it: the position to go on from, or empty if it has never started. */
    public record Lease(Optional<Position> position) {
    }

    private final Transactions db;

    public ViewCursor(Transactions db) {
        this.db = db;
    }

    /** The lease for {@code holder}, or null if another instance holds it. */
    public Uni<Lease> take(String holder, Duration lease) {
        return db.reads().preparedQuery(TAKE).execute(Tuple.of(holder, seconds(lease))).map(rows -> {
            if (rows.rowCount() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            Long txId = row.getLong("tx_id");
            return new Lease(txId == null ? Optional.empty()
                    : Optional.of(new Position(txId, row.getLong("seq"))));
        });
    }

    /** Moves the position and renews the lease; false if {@code holder} no longer holds it (nothing changed). */
    public Uni<Boolean> moveTo(String holder, Position position, Duration lease) {
        return db.reads().preparedQuery(MOVE)
                .execute(Tuple.of(holder, Long.toString(position.txId()), position.seq(), seconds(lease)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Lets another instance take over at once (a graceful shutdown), if {@code holder} holds the lease. */
    public Uni<Void> release(String holder) {
        return db.reads().preparedQuery(RELEASE).execute(Tuple.of(holder)).replaceWithVoid();
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
