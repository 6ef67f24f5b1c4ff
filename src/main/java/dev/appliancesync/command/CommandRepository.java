package dev.appliancesync.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The command outbox: each command's row from PENDING to its close. Every update names the statuses it may leave
 * (PENDING, or PENDING and SENT), so of two writers racing for one command (a result and a time-out, a publish and a
 * result) the first changes it and the second finds it changed; what either means is for the callers to decide.
 */
@ApplicationScoped
public class CommandRepository {

    /**
     * What {@link CommandRecord#from} and a claim read: named, never {@code *}, because statements are kept
     * prepared (application.properties, cache-prepared-statements).
     */
    private static final String COLUMNS = """
            c.id, c.appliance_id, c.issued_by, c.command, c.params, c.status, c.result, c.error, c.created_at, \
            c.sent_at, c.completed_at, c.expires_at, c.publish_attempts""";

    /** Held for one lease by the issuing request's own publish ($5 seconds); it times out after $6 seconds. */
    private static final String INSERT = """
            insert into command as c (appliance_id, issued_by, command, params, next_attempt_at, publish_attempts,
                                 expires_at)
            values ($1, $2, $3, $4, now() + make_interval(secs => $5), 1, now() + make_interval(secs => $6))
            returning %s""".formatted(COLUMNS);
    private static final String ONE = "select " + COLUMNS + " from command c where id = $1";
    private static final String SENT = """
            update command c set status = 'SENT', sent_at = now(), next_attempt_at = null, error = null
            where id = $1 and status = 'PENDING'
            returning %s""".formatted(COLUMNS);
    private static final String LATER = """
            update command c set next_attempt_at = now() + make_interval(secs => $2), error = left($3, 2000)
            where id = $1 and status = 'PENDING'
            returning %s""".formatted(COLUMNS);
    private static final String RESULT = """
            update command c set status = $3, result = $4, error = left($5, 2000), completed_at = now(),
                sent_at = coalesce(c.sent_at, now()), next_attempt_at = null
            from appliance a
            where c.id = $1 and a.id = c.appliance_id and a.thing_name = $2 and c.status in ('PENDING', 'SENT')
            returning %s""".formatted(COLUMNS);
    private static final String EXISTS_FOR_THING = """
            select 1 from command c join appliance a on a.id = c.appliance_id where c.id = $1 and a.thing_name = $2""";
    private static final String TIME_OUT = """
            update command c set status = 'TIMED_OUT', completed_at = now(), next_attempt_at = null,
                error = left(case when c.sent_at is null then 'Not delivered to the broker before the time-out'
                                  else 'No result from the device before the time-out' end
                             || coalesce(': ' || c.error, ''), 2000)
            from (select id from command where status in ('PENDING', 'SENT') and %s <= now()
                  order by created_at limit $1 for update skip locked) due
            where c.id = due.id
            returning %s""".formatted(expiresAt("$2"), COLUMNS);
    private static final String UNDELIVERABLE = """
            update command c set status = 'FAILED', completed_at = now(), next_attempt_at = null,
                error = left($2, 2000)
            where id = $1 and status = 'PENDING'
            returning %s""".formatted(COLUMNS);
    /** Rows an older instance wrote have no next_attempt_at: their first attempt is its own, held for one lease. */
    private static final String CLAIM = """
            update command c set next_attempt_at = now() + make_interval(secs => $2),
                publish_attempts = c.publish_attempts + 1
            from (select id from command
                  where status = 'PENDING'
                    and coalesce(next_attempt_at, created_at + make_interval(secs => $2)) <= now()
                    and %s > now()
                  order by created_at limit $1 for update skip locked) due, appliance a
            where c.id = due.id and a.id = c.appliance_id
            returning %s, a.thing_name""".formatted(expiresAt("$3"), COLUMNS);

    /**
     * When a command times out, our time-out being the parameter {@code timeoutSeconds}: rows an older instance wrote
     * have no expires_at, theirs is created_at plus our time-out.
     */
    private static String expiresAt(String timeoutSeconds) {
        return "coalesce(expires_at, created_at + make_interval(secs => " + timeoutSeconds + "))";
    }

    /** A PENDING command leased to one publisher: the thing it goes to and which attempt this is. */
    public record Claimed(CommandRecord command, String thingName, int attempt) {
    }

    /** A new PENDING command, held by its issuer's publish for {@code lease}, timing out after {@code timeout}. */
    public Uni<CommandRecord> insert(SqlClient tx, UUID applianceId, UUID issuedBy, DeviceCommand command,
            JsonObject params, Duration lease, Duration timeout) {
        return tx.preparedQuery(INSERT)
                .execute(Tuple.of(applianceId, issuedBy, command.name(), params).addValue(seconds(lease))
                        .addValue(seconds(timeout)))
                .map(rows -> CommandRecord.from(rows.iterator().next()));
    }

    /** The command as it is; empty if there is none (or it went with its appliance). */
    public Uni<Optional<CommandRecord>> find(SqlClient client, UUID commandId) {
        return client.preparedQuery(ONE).execute(Tuple.of(commandId)).map(CommandRepository::first);
    }

    /** PENDING to SENT (the broker took it); empty if the command was no longer PENDING. */
    public Uni<Optional<CommandRecord>> markSent(SqlClient client, UUID commandId) {
        return client.preparedQuery(SENT).execute(Tuple.of(commandId)).map(CommandRepository::first);
    }

    /** A PENDING command's next attempt after {@code wait}, with why; empty if it was no longer PENDING. */
    public Uni<Optional<CommandRecord>> postpone(SqlClient client, UUID commandId, Duration wait, String error) {
        return client.preparedQuery(LATER).execute(Tuple.of(commandId, seconds(wait), error))
                .map(CommandRepository::first);
    }

    /** An open command sent to {@code thingName} closed with the device's result; empty if no such open command. */
    public Uni<Optional<CommandRecord>> closeWithResult(SqlClient tx, UUID commandId, String thingName,
            String status, JsonObject result, String error) {
        return tx.preparedQuery(RESULT).execute(Tuple.of(commandId, thingName, status, result, error))
                .map(CommandRepository::first);
    }

    /** Whether a command with this id was sent to this thing, in whatever status. */
    public Uni<Boolean> existsForThing(SqlClient tx, UUID commandId, String thingName) {
        return tx.preparedQuery(EXISTS_FOR_THING).execute(Tuple.of(commandId, thingName))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Up to {@code limit} open commands whose time is up, TIMED_OUT now; rows another transaction holds are skipped
     * (they are being closed or claimed), not waited for.
     */
    public Uni<List<CommandRecord>> timeOutDue(SqlClient tx, int limit, Duration timeout) {
        return tx.preparedQuery(TIME_OUT).execute(Tuple.of(limit, seconds(timeout))).map(CommandRepository::all);
    }

    /** A PENDING command FAILED with {@code reason}; empty if it was no longer PENDING. */
    public Uni<Optional<CommandRecord>> failUndeliverable(SqlClient tx, UUID commandId, String reason) {
        return tx.preparedQuery(UNDELIVERABLE).execute(Tuple.of(commandId, reason)).map(CommandRepository::first);
    }

    /**
     * Leases up to {@code limit} PENDING commands whose next attempt is due and whose time is not up: each one's next
     * attempt is pushed one {@code lease} ahead and its attempts counted, skipping rows others hold.
     */
    public Uni<List<Claimed>> claimDue(SqlClient client, int limit, Duration lease, Duration timeout) {
        return client.preparedQuery(CLAIM).execute(Tuple.of(limit, seconds(lease), seconds(timeout)))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>(rows.rowCount());
                    for (Row row : rows) {
                        claimed.add(new Claimed(CommandRecord.from(row), row.getString("thing_name"),
                                row.getInteger("publish_attempts")));
                    }
                    return claimed;
                });
    }

    /** Seconds with the milliseconds, as make_interval takes them. */
    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static Optional<CommandRecord> first(RowSet<Row> rows) {
        var iterator = rows.iterator();
        return iterator.hasNext() ? Optional.of(CommandRecord.from(iterator.next())) : Optional.empty();
    }

    private static List<CommandRecord> all(RowSet<Row> rows) {
        List<CommandRecord> records = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> records.add(CommandRecord.from(row)));
        return records;
    }
}
