package dev.appliancesync.command;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.command.mqtt.DeviceCommandPublisher;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * One publish of a committed PENDING command, by whoever holds it (the request that sent it, or the relay), and what
 * it leaves behind: SENT on the broker's PUBACK; after a failure, the time of the next attempt (backoff) and the
 * reason in {@code error}; FAILED only when no attempt can ever succeed.
 * <p>
 * The message is the device's contract: {@code {"commandId", "command", "params", "issuedAt", "expiresAt"}}, delivered
 * at least once (a publish whose PUBACK was lost, or a publisher that died after publishing and before recording it,
 * is published again), so a device acts once per {@code commandId} and ignores a command after {@code expiresAt}.
 */
@ApplicationScoped
@Startup // its counter is reported (at 0) from the start, not from the first command
public class CommandDispatch {

    private static final Logger LOG = Logger.getLogger(CommandDispatch.class);

    private final Transactions db;
    private final CommandRepository commands;
    private final DeviceCommandPublisher publisher;
    private final CommandOutcomes outcomes;
    private final CommandsConfig config;
    private final Counter publishFailed;

    public CommandDispatch(Transactions db, CommandRepository commands, DeviceCommandPublisher publisher,
            CommandOutcomes outcomes, CommandsConfig config, ServiceMetrics metrics) {
        this.db = db;
        this.commands = commands;
        this.publisher = publisher;
        this.outcomes = outcomes;
        this.config = config;
        this.publishFailed = metrics.commandsPublishFailed();
    }

    /** Publishes the command to the thing's topic and records the outcome; the command as it is afterwards. */
    public Uni<CommandRecord> publish(CommandRecord command, String thingName, int attempts) {
        return Uni.createFrom().deferred(() -> publisher.publish(thingName, message(command).encode()))
                .ifNoItem().after(config.publishTimeout()).fail()
                .flatMap(acked -> asRecorded(command, commands.markSent(db.reads(), command.id())))
                .onFailure().recoverWithUni(failure -> failed(command, thingName, attempts, failure));
    }

    private Uni<CommandRecord> failed(CommandRecord command, String thingName, int attempts, Throwable failure) {
        publishFailed.increment();
        if (failure instanceof IllegalArgumentException) { // the publisher refuses the thing name: no retry helps
            LOG.warnf("Command %s to %s can never be published: %s", command.id(), thingName, failure.getMessage());
            return outcomes.undeliverable(command, "Not deliverable: " + failure.getMessage());
        }
        Duration retryIn = config.retryBackoff().delay(attempts);
        LOG.infof("Command %s to %s not published (attempt %d: %s); next attempt in %d ms", command.id(), thingName,
                attempts, failure, retryIn.toMillis());
        return asRecorded(command, commands.postpone(db.reads(), command.id(), retryIn,
                "Not delivered to the broker yet (attempt " + attempts + "): " + failure));
    }

    /** The update's row, or, if the command was no longer PENDING (a result came first), the row as it is. */
    private Uni<CommandRecord> asRecorded(CommandRecord command, Uni<Optional<CommandRecord>> update) {
        return update.flatMap(updated -> updated.isPresent() ? Uni.createFrom().item(updated.get())
                : commands.find(db.reads(), command.id())
                        // gone only with its appliance (removed meanwhile)
                        .map(current -> current.orElse(command)));
    }

    static JsonObject message(CommandRecord command) {
        return new JsonObject().put("commandId", command.id().toString()).put("command", command.command())
                .put("params", command.params()).put("issuedAt", command.createdAt().toString())
                .put("expiresAt", command.expiresAt() == null ? null : command.expiresAt().toString());
    }
}
