package dev.appliancesync.change;

import java.time.Duration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Records that are kept as long as the change log keeps its entries (appliance-sync.realtime.retention) and are
 * deleted with them, in the same retention run and transaction (realtime/ChangeRetention), so no table of
 * announcements grows without bound.
 */
public interface RetainedWithChanges {

    /** What the records are, for the retention's log line. */
    String what();

    /** Deletes the records older than {@code retention}; how many. */
    Uni<Long> forgetOlderThan(SqlClient tx, Duration retention);
}
