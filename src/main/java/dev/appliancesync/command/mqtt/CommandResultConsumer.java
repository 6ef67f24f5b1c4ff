package dev.appliancesync.command.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.command.CommandOutcomes;
import dev.appliancesync.common.db.DatabaseOutage;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.ingest.DeadLetters;
import dev.appliancesync.ingest.RejectedMessage;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Devices answer commands on {@code appliances/{thingName}/command-results} with
 * {@code {"commandId", "status": "SUCCEEDED"|"FAILED", "result"?, "error"?}}. A result counts only for a command sent
 * to that same thing and still open (PENDING or SENT): it closes the command and tells the issuer on {@code changes}
 * ({@link CommandOutcomes}). Anything else is dead-lettered with the reason (UNKNOWN_COMMAND, or COMMAND_CLOSED for a
 * second answer or one after the time-out). {@link CommandResultRoute} hands them in and acknowledges each to the
 * broker once {@link #consume} has committed.
 */
@ApplicationScoped
public class CommandResultConsumer {

    private static final Logger LOG = Logger.getLogger(CommandResultConsumer.class);
    private static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED");

    private final Transactions db;
    private final DeadLetters deadLetters;
    private final CommandOutcomes outcomes;

    public CommandResultConsumer(Transactions db, DeadLetters deadLetters, CommandOutcomes outcomes) {
        this.db = db;
        this.deadLetters = deadLetters;
        this.outcomes = outcomes;
    }

    /**
     * Applies one result, or dead-letters it; completes once either is committed. Fails if neither could be (the
     * database unavailable): then nothing is dead-lettered, and the caller tries again.
     */
    public Uni<Void> consume(String topic, byte[] payload) {
        return apply(topic, payload)
                .onFailure(failure -> !DatabaseOutage.isCause(failure))
                .recoverWithUni(failure -> deadLetter(topic, payload, failure));
    }

    private Uni<Void> apply(String topic, byte[] payload) {
        String[] levels = topic.split("/");
        if (levels.length < 3) {
            return Uni.createFrom().failure(new RejectedMessage("BAD_TOPIC", "No thing name in " + topic));
        }
        String thingName = levels[levels.length - 2];
        JsonObject result;
        UUID commandId;
        try {
            result = new JsonObject(new String(payload, StandardCharsets.UTF_8));
            commandId = UUID.fromString(result.getString("commandId"));
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(
                    new RejectedMessage("INVALID_JSON", "Not a command result: " + e.getMessage()));
        }
        String status = result.getString("status");
        if (!FINAL.contains(status)) {
            return Uni.createFrom().failure(new RejectedMessage("WRONG_SHAPE", "status must be SUCCEEDED or FAILED"));
        }
        Object detail = result.getValue("result");
        String error = result.getString("error");
        return outcomes.recordResult(commandId, thingName, status, detail instanceof JsonObject o ? o : null, error)
                .flatMap(applied -> switch (applied) {
                    case APPLIED -> Uni.createFrom().voidItem();
                    // Too late (after the time-out) or a second answer: the first outcome stands.
                    case ALREADY_CLOSED -> Uni.createFrom().failure(new RejectedMessage("COMMAND_CLOSED",
                            "Command " + commandId + " is closed already; this result came too late or twice"));
                    case UNKNOWN -> Uni.createFrom().failure(new RejectedMessage("UNKNOWN_COMMAND",
                            "No command " + commandId + " for thing " + thingName));
                });
    }

    private Uni<Void> deadLetter(String topic, byte[] payload, Throwable failure) {
        String reason = failure instanceof RejectedMessage rejected ? rejected.reason() : "PROCESSING_FAILED";
        LOG.debugf("Dead-lettered command result on %s: %s", topic, failure.getMessage());
        return deadLetters.write(db.reads(),
                List.of(new DeadLetters.Rejected(topic, reason, String.valueOf(failure.getMessage()), payload)));
    }
}
