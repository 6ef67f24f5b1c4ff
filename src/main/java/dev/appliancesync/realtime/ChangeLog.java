package dev.appliancesync.realtime;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes change-log entries in the caller's transaction, so a change and its entry commit (or vanish) together. The
 * real-time fan-out and catch-up read the log by sequence.
 */
@ApplicationScoped
public class ChangeLog {

    private static final String INSERT = """
            insert into change_log (audience, user_id, appliance_id, household_id, type, payload)
            values ($1, $2, $3, $4, $5, $6)""";

    public Uni<Void> append(SqlClient tx, List<Change> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = changes.stream()
                .map(c -> Tuple.from(new Object[] { c.audience(), c.userId(), c.applianceId(), c.householdId(), c.type(),
                        c.payload() }))
                .toList();
        return tx.preparedQuery(INSERT).executeBatch(rows).replaceWithVoid();
    }

    public Uni<Void> append(SqlClient tx, Change... changes) {
        return append(tx, List.of(changes));
    }
}
