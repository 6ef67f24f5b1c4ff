package dev.appliancesync.command;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.appliance.ApplianceGuard;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.command.mqtt.DeviceCommandPublisher;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.realtime.Change;
import dev.appliancesync.realtime.ChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Commands to devices: authorised by the policies (the command's capability, with the command as a fact), recorded,
 * then published at QoS 1. A denied command is never published.
 */
@ApplicationScoped
public class CommandService {

    private static final Logger LOG = Logger.getLogger(CommandService.class);
    private static final int MAX_PARAMS_BYTES = 16384;

    private final Transactions db;
    private final ApplianceGuard appliances;
    private final Authorizer authorizer;
    private final ChangeLog changes;
    private final DeviceCommandPublisher publisher;

    public CommandService(Transactions db, ApplianceGuard appliances, Authorizer authorizer, ChangeLog changes,
            DeviceCommandPublisher publisher) {
        this.db = db;
        this.appliances = appliances;
        this.authorizer = authorizer;
        this.changes = changes;
        this.publisher = publisher;
    }

    public Uni<CommandRecord> send(Caller caller, UUID applianceId, DeviceCommand command, JsonObject params) {
        JsonObject safeParams = params == null ? new JsonObject() : params;
        if (safeParams.encode().getBytes(StandardCharsets.UTF_8).length > MAX_PARAMS_BYTES) {
            throw new ApiException(ErrorCode.VALIDATION, "Command parameters are limited to " + MAX_PARAMS_BYTES + " bytes",
                    Map.of("maxBytes", MAX_PARAMS_BYTES));
        }
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> appliances.require(tx, session, applianceId, command.requires(),
                        Map.of("command", command.name()))
                .flatMap(access -> tx.preparedQuery("""
                                insert into command (appliance_id, issued_by, command, params) values ($1, $2, $3, $4)
                                returning *""")
                        .execute(Tuple.of(applianceId, caller.id(), command.name(), safeParams))
                        .map(rows -> new Sendable(CommandRecord.from(rows.iterator().next()), access.appliance().thingName())))
                .call(sendable -> changes.append(tx, Change.forUser(caller.id(), "COMMAND_ISSUED",
                        new JsonObject().put("commandId", sendable.command().id().toString())
                                .put("applianceId", applianceId.toString()).put("command", command.name())))))
                // Published after commit: a device never acts on a command whose record rolled back.
                .flatMap(sendable -> publish(sendable));
    }

    private record Sendable(CommandRecord command, String thingName) {
    }

    private Uni<CommandRecord> publish(Sendable sendable) {
        CommandRecord command = sendable.command();
        JsonObject message = new JsonObject().put("commandId", command.id().toString()).put("command", command.command())
                .put("params", command.params()).put("issuedAt", command.createdAt().toString());
        return publisher.publish(sendable.thingName(), message.encode())
                .flatMap(acked -> db.reads().preparedQuery("update command set status = 'SENT', sent_at = now() "
                        + "where id = $1 and status = 'PENDING' returning *").execute(Tuple.of(command.id())))
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("Command %s to %s not published: %s", command.id(), sendable.thingName(), failure.toString());
                    return db.reads().preparedQuery("update command set status = 'FAILED', completed_at = now(), "
                                    + "error = $2 where id = $1 and status = 'PENDING' returning *")
                            .execute(Tuple.of(command.id(), "Not delivered to the broker: " + failure.getMessage()));
                })
                .map(rows -> rows.rowCount() == 0 ? command : CommandRecord.from(rows.iterator().next()));
    }

    /** The command if the caller may view its appliance. */
    public Uni<CommandRecord> get(Caller caller, UUID commandId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> tx.preparedQuery("select * from command where id = $1").execute(Tuple.of(commandId))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "No command with this id"));
                    }
                    CommandRecord command = CommandRecord.from(rows.iterator().next());
                    return appliances.require(tx, session, command.applianceId(), Capability.VIEW_STATUS)
                            .replaceWith(command);
                }));
    }
}
