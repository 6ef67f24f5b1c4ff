package dev.appliancesync.command;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeType;
import io.vertx.core.json.JsonObject;

/**
 * The change-log entries of a command: COMMAND_ISSUED when it is recorded, then one of COMMAND_SUCCEEDED,
 * COMMAND_FAILED or COMMAND_TIMED_OUT when it closes, each in the transaction that records it.
 * <p>
 * They go to the issuer only. The issuer is the one waiting for the outcome, and a result may carry what the device
 * told that person (its {@code result} and {@code error}). Everyone else who may view the appliance sees the effect
 * of a command the way they see any other change of the device, through its state (DEVICE_STATE), and may still look
 * a command up by id with {@code command(id)}. It keeps the outcome with its COMMAND_ISSUED: one person's feed.
 */
final class CommandChanges {

    private CommandChanges() {
    }

    static Change issued(CommandRecord command) {
        return Change.forUser(command.issuedBy(), ChangeType.COMMAND_ISSUED, facts(command));
    }

    /** The entry for a closed command: its type names the status (COMMAND_SUCCEEDED, ...). */
    static Change closed(CommandRecord command) {
        return Change.forUser(command.issuedBy(), closedType(command.status()),
                facts(command).put("status", command.status()).put("result", command.result())
                        .put("error", command.error())
                        // Whether the broker ever took it: a timed-out command may never have reached the device.
                        .put("sent", command.sentAt() != null));
    }

    private static ChangeType closedType(String status) {
        return switch (status) {
            case "SUCCEEDED" -> ChangeType.COMMAND_SUCCEEDED;
            case "FAILED" -> ChangeType.COMMAND_FAILED;
            case "TIMED_OUT" -> ChangeType.COMMAND_TIMED_OUT;
            default -> throw new IllegalArgumentException("A command " + status + " is not closed");
        };
    }

    private static JsonObject facts(CommandRecord command) {
        return new JsonObject().put("commandId", command.id().toString())
                .put("applianceId", command.applianceId().toString()).put("command", command.command());
    }
}
