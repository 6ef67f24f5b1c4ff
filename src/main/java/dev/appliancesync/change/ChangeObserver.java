package dev.appliancesync.change;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Told of the entries a transaction appends, inside that transaction: whatever must follow a change in the same
 * commit (the cloud-access outbox) hangs off here rather than off every service that makes changes.
 */
public interface ChangeObserver {

    Uni<Void> appended(SqlConnection tx, List<Change> changes);
}
