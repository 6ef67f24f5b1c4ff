package dev.appliancesync.command;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * How a command closes: the device's result, a time-out, or a publish that can never succeed. Each closes only an open
 * command (PENDING or SENT), in one conditional update, and writes its change-log entry in the same transaction; the
 * row lock makes the first of a result and a time-out win and the other find the command closed, so a command closes
 * exactly once however many instances race for it.
 */
@ApplicationScoped
@Startup // its counter is reported (at 0) from the start, not from the first command
public class CommandOutcomes {

    /** What became of a device's result. */
    public enum Applied {
        APPLIED,
        /** The command exists for that thing but is closed already (answered, failed or timed out). */
        ALREADY_CLOSED,
        /** No command with that id was sent to that thing. */
        UNKNOWN
    }

    private static final String RESULT = """
            update command c set status = $3, result = $4, error = left($5, 2000), completed_at = now(),
                sent_at = coalesce(c.sent_at, now()), next_attempt_at = null
            from appliance a
            where c.id = $1 and a.id = c.appliance_id and a.thing_name = $2 and c.status in ('PENDING', 'SENT')
            returning c.*""";
    private static final String EXISTS_FOR_THING = """
            select 1 from command c join appliance a on a.id = c.appliance_id where c.id = $1 and a.thing_name = $2""";
    /**
     * When a command times out, our time-out being the parameter {@code timeoutSeconds}: rows an older instance wrote
     * have no expires_at, theirs is created_at plus our time-out.
     */
    static String expiresAt(String timeoutSeconds) {
        return "coalesce(expires_at, created_at + make_interval(secs => " + timeoutSeconds + "))";
    }

    private static final String TIME_OUT = """
            update command c set status = 'TIMED_OUT', completed_at = now(), next_attempt_at = null,
                error = left(case when c.sent_at is null then 'Not delivered to the broker before the time-out'
                                  else 'No result from the device before the time-out' end
                             || coalesce(': ' || c.error, ''), 2000)
            from (select id from command where status in ('PENDING', 'SENT') and %s <= now()
                  order by created_at limit $1 for update skip locked) due
            where c.id = due.id
            returning c.*""".formatted(expiresAt("$2"));
    private static final String UNDELIVERABLE = """
            update command set status = 'FAILED', completed_at = now(), next_attempt_at = null, error = left($2, 2000)
            where id = $1 and status = 'PENDING'
            returning *""";

    private final Transactions db;
    private final ChangeLog changes;
    private final CommandsConfig config;
    private final Counter timedOut;

    public CommandOutcomes(Transactions db, ChangeLog changes, CommandsConfig config, ServiceMetrics metrics) {
        this.db = db;
        this.changes = changes;
        this.config = config;
        this.timedOut = metrics.commandsTimedOut();
    }

    /** A device's SUCCEEDED or FAILED for a command sent to {@code thingName}. */
    public Uni<Applied> recordResult(UUID commandId, String thingName, String status, JsonObject result,
            String error) {
        return db.inTransaction(tx -> tx.preparedQuery(RESULT)
                .execute(Tuple.of(commandId, thingName, status, result, error))
                .flatMap(rows -> rows.rowCount() == 1
                        ? announce(tx, rows).replaceWith(Applied.APPLIED)
                        : tx.preparedQuery(EXISTS_FOR_THING).execute(Tuple.of(commandId, thingName))
                                .map(found -> found.rowCount() == 1 ? Applied.ALREADY_CLOSED : Applied.UNKNOWN)));
    }

    /** Times out up to {@code limit} open commands whose time is up; how many. */
    public Uni<Integer> timeOutExpired(int limit) {
        return db.inTransaction(tx -> tx.preparedQuery(TIME_OUT)
                .execute(Tuple.of(limit, config.timeout().toMillis() / 1000.0))
                .flatMap(rows -> announce(tx, rows).replaceWith(rows.rowCount())))
                .invoke(count -> timedOut.increment(count)); // counted once committed
    }

    /** A command no publish can ever deliver (its thing name cannot be a topic): FAILED now, not retried. */
    Uni<CommandRecord> undeliverable(CommandRecord command, String reason) {
        return db.inTransaction(tx -> tx.preparedQuery(UNDELIVERABLE).execute(Tuple.of(command.id(), reason))
                .call(rows -> announce(tx, rows))
                .map(rows -> rows.rowCount() == 0 ? command : CommandRecord.from(rows.iterator().next())));
    }

    private Uni<Void> announce(SqlConnection tx, RowSet<Row> closed) {
        List<Change> entries = new ArrayList<>(closed.rowCount());
        closed.forEach(row -> entries.add(CommandChanges.closed(CommandRecord.from(row))));
        return changes.append(tx, entries);
    }
}
