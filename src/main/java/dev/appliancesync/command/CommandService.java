package dev.appliancesync.command;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Guard;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Commands to devices: authorised by the policies (the command's capability, with the command as a fact), recorded
 * with COMMAND_ISSUED in one transaction (the outbox: PENDING until the broker acknowledges it), then published at QoS
 * 1 ({@link CommandDispatch}; the {@link CommandRelay} retries what does not go out at once). A denied command is never
 * published.
 */
@ApplicationScoped
public class CommandService {

    private static final Logger LOG = Logger.getLogger(CommandService.class);
    private static final int MAX_PARAMS_BYTES = 16384;
    /** Held for one lease by this request's own publish ($5 seconds); it times out after $6 seconds. */
    private static final String INSERT = """
            insert into command (appliance_id, issued_by, command, params, next_attempt_at, publish_attempts,
                                 expires_at)
            values ($1, $2, $3, $4, now() + make_interval(secs => $5), 1, now() + make_interval(secs => $6))
            returning *""";

    private final Transactions db;
    private final Guard guard;
    private final ApplianceRepository appliances;
    private final Authorizer authorizer;
    private final ChangeLog changes;
    private final CommandDispatch dispatch;
    private final CommandsConfig config;

    public CommandService(Transactions db, Guard guard, ApplianceRepository appliances, Authorizer authorizer, ChangeLog changes,
            CommandDispatch dispatch, CommandsConfig config) {
        this.db = db;
        this.guard = guard;
        this.appliances = appliances;
        this.authorizer = authorizer;
        this.changes = changes;
        this.dispatch = dispatch;
        this.config = config;
    }

    public Uni<CommandRecord> send(Caller caller, UUID applianceId, DeviceCommand command, JsonObject params) {
        JsonObject safeParams = params == null ? new JsonObject() : params;
        if (safeParams.encode().getBytes(StandardCharsets.UTF_8).length > MAX_PARAMS_BYTES) {
            throw new ApiException(ErrorCode.VALIDATION, "Command parameters are limited to " + MAX_PARAMS_BYTES + " bytes",
                    Map.of("maxBytes", MAX_PARAMS_BYTES));
        }
        return guard.change(caller.subject(), appliances, applianceId, command.requires(),
                        Map.of("command", command.name()), locked -> locked.tx().preparedQuery(INSERT)
                        .execute(Tuple.of(applianceId, caller.id(), command.name(), safeParams)
                                .addValue(config.lease().toMillis() / 1000.0)
                                .addValue(config.timeout().toMillis() / 1000.0))
                        .map(rows -> new Sendable(CommandRecord.from(rows.iterator().next()),
                                locked.resource().appliance().thingName()))
                        .call(sendable -> changes.append(locked.tx(), CommandChanges.issued(sendable.command()))))
                // Published after commit, so a device never acts on a command whose record rolled back; and at once, so
                // the common case waits for no relay. Whatever this publish does not finish, the relay does.
                .flatMap(sendable -> dispatch.publish(sendable.command(), sendable.thingName(), 1)
                        .onFailure().recoverWithItem(failure -> {
                            // Committed: the relay takes it over; failing the request would only invite a duplicate.
                            LOG.warnf("Command %s committed, its publish left to the relay: %s",
                                    sendable.command().id(), failure.toString());
                            return sendable.command();
                        }));
    }

    private record Sendable(CommandRecord command, String thingName) {
    }

    /** The command if the caller may view its appliance: a read, so no transaction, row lock or audit row. */
    public Uni<CommandRecord> get(Caller caller, UUID commandId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.reads().preparedQuery("select * from command where id = $1").execute(Tuple.of(commandId))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "No command with this id"));
                    }
                    CommandRecord command = CommandRecord.from(rows.iterator().next());
                    return guard.view(db.reads(), session, appliances, command.applianceId(), Capability.VIEW_STATUS)
                            .replaceWith(command);
                });
    }
}
