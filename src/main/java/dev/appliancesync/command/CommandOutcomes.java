package dev.appliancesync.command;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

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

    private final Transactions db;
    private final CommandRepository commands;
    private final ChangeLog changes;
    private final CommandsConfig config;
    private final Counter timedOut;

    public CommandOutcomes(Transactions db, CommandRepository commands, ChangeLog changes, CommandsConfig config,
            ServiceMetrics metrics) {
        this.db = db;
        this.commands = commands;
        this.changes = changes;
        this.config = config;
        this.timedOut = metrics.commandsTimedOut();
    }

    /** A device's SUCCEEDED or FAILED for a command sent to {@code thingName}. */
    public Uni<Applied> recordResult(UUID commandId, String thingName, String status, JsonObject result,
            String error) {
        return db.inTransaction(tx -> commands.closeWithResult(tx, commandId, thingName, status, result, error)
                .flatMap(closed -> closed.isPresent()
                        ? announce(tx, List.of(closed.get())).replaceWith(Applied.APPLIED)
                        : commands.existsForThing(tx, commandId, thingName)
                                .map(found -> found ? Applied.ALREADY_CLOSED : Applied.UNKNOWN)));
    }

    /** Times out up to {@code limit} open commands whose time is up; how many. */
    public Uni<Integer> timeOutExpired(int limit) {
        return db.inTransaction(tx -> commands.timeOutDue(tx, limit, config.timeout())
                .flatMap(expired -> announce(tx, expired).replaceWith(expired.size())))
                .invoke(count -> timedOut.increment(count)); // counted once committed
    }

    /** A command no publish can ever deliver (its thing name cannot be a topic): FAILED now, not retried. */
    Uni<CommandRecord> undeliverable(CommandRecord command, String reason) {
        return db.inTransaction(tx -> commands.failUndeliverable(tx, command.id(), reason)
                .call(failed -> announce(tx, failed.stream().toList()))
                .map(failed -> failed.orElse(command)));
    }

    private Uni<Void> announce(SqlConnection tx, List<CommandRecord> closed) {
        return changes.append(tx, closed.stream().map(CommandChanges::closed).toList());
    }
}
