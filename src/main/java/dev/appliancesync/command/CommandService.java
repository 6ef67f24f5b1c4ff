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

    private final Transactions db;
    private final CommandRepository commands;
    private final Guard guard;
    private final ApplianceRepository appliances;
    private final Authorizer authorizer;
    private final ChangeLog changes;
    private final CommandDispatch dispatch;
    private final CommandsConfig config;

    public CommandService(Transactions db, CommandRepository commands, Guard guard, ApplianceRepository appliances,
            Authorizer authorizer, ChangeLog changes, CommandDispatch dispatch, CommandsConfig config) {
        this.db = db;
        this.commands = commands;
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
                        Map.of("command", command.name()),
                        // Held for one lease: the publish below is its first attempt, the relay's only after that.
                        locked -> commands.insert(locked.tx(), applianceId, caller.id(), command, safeParams,
                                config.lease(), config.timeout())
                        .map(recorded -> new Sendable(recorded, locked.resource().appliance().thingName()))
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
        return commands.find(db.reads(), commandId)
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "No command with this id"));
                    }
                    CommandRecord command = found.get();
                    return guard.view(db.reads(), session, appliances, command.applianceId(), Capability.VIEW_STATUS)
                            .replaceWith(command);
                });
    }
}
