package dev.appliancesync.common.mqtt;

import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.appliancesync.common.db.DatabaseOutage;
import dev.appliancesync.common.retry.Backoff;
import io.smallrye.mutiny.Uni;

/**
 * Runs the work behind unacknowledged messages again, after a growing wait, until it succeeds: such work may not be
 * given up, because the broker has nobody else to give the messages to until this connection ends. Its handlers turn
 * a message that fails on its own into a dead letter, so what fails here is the database being away (or a dead
 * letter that could not be written), which passes once PostgreSQL answers again. Gives up only when the application
 * stops: the messages are then not acknowledged, and the broker redelivers them.
 */
public final class UntilDone {

    private static final Logger LOG = Logger.getLogger(UntilDone.class);

    private final Backoff backoff;
    private final BooleanSupplier running;

    public UntilDone(Duration firstWait, Duration maxWait, BooleanSupplier running) {
        this.backoff = new Backoff(firstWait, maxWait, new Random());
        this.running = running;
    }

    /** {@code work}, retried until it succeeds; {@code what} names it in the log. */
    public Uni<Void> run(String what, Supplier<Uni<Void>> work) {
        return attempt(what, work, 1);
    }

    private Uni<Void> attempt(String what, Supplier<Uni<Void>> work, int attempt) {
        return Uni.createFrom().<Void> deferred(() -> work.get()).onFailure().recoverWithUni(failure -> {
            if (!running.getAsBoolean()) {
                return Uni.createFrom().failure(failure);
            }
            Duration wait = backoff.ceiling(attempt);
            String kind = DatabaseOutage.isCause(failure) ? "the database is unavailable" : "it failed";
            if (attempt == 1 && !DatabaseOutage.isCause(failure)) {
                LOG.errorf(failure, "%s not done (%s); not acknowledged, trying again in %d ms", what, kind,
                        wait.toMillis());
            } else {
                LOG.warnf("%s not done (%s: %s); not acknowledged, trying again in %d ms (attempt %d)", what, kind,
                        failure.toString(), wait.toMillis(), attempt);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .chain(() -> attempt(what, work, attempt + 1));
        });
    }
}
