package dev.appliancesync.command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.appliancesync.common.db.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * The outbox's relay, on every instance: every {@code relay-interval} it publishes the PENDING commands whose next
 * attempt is due (the request's own publish failed, or its instance died before or during it), then times out the
 * open commands whose time is up.
 * <p>
 * Rows are leased as the cloud reconciler leases its own: a claim pushes {@code next_attempt_at} past a lease in the
 * statement that picks the rows ({@code for update skip locked}), so instances share the due rows without waiting for
 * each other, and the rows of an instance that died come due again when its lease runs out. Publishing twice is
 * allowed by the device contract (at least once, de-duplicated by {@code commandId}).
 */
@ApplicationScoped
public class CommandRelay {

    private static final Logger LOG = Logger.getLogger(CommandRelay.class);
    private final Transactions db;
    private final CommandRepository commands;
    private final CommandDispatch dispatch;
    private final CommandOutcomes outcomes;
    private final CommandsConfig config;
    private final Vertx vertx;
    /** A pass's statements complete on the pool's event loops, not necessarily the timer's. */
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    public CommandRelay(Transactions db, CommandRepository commands, CommandDispatch dispatch, CommandOutcomes outcomes,
            CommandsConfig config, Vertx vertx) {
        this.db = db;
        this.commands = commands;
        this.dispatch = dispatch;
        this.outcomes = outcomes;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent started) {
        timer = vertx.getDelegate().setPeriodic(config.relayInterval().toMillis(), tick -> runFromTimer());
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer >= 0) {
            vertx.getDelegate().cancelTimer(timer);
        }
    }

    /** Runs on the timer's event loop; one pass at a time, and a pass that fills a batch goes on at once. */
    private void runFromTimer() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        runOnce().subscribe().with(busy -> {
            running.set(false);
            if (busy) {
                runFromTimer();
            }
        }, failure -> {
            running.set(false);
            LOG.warnf("Command relay pass failed (the next pass retries): %s", failure.toString());
        });
    }

    /** One pass: publishes a batch of due commands, times out a batch; true if either batch was full. */
    Uni<Boolean> runOnce() {
        return publishDue().flatMap(published -> outcomes.timeOutExpired(config.batchSize())
                .invoke(timedOut -> {
                    if (timedOut > 0) {
                        LOG.infof("%d commands timed out without a result", timedOut);
                    }
                })
                .map(timedOut -> published == config.batchSize() || timedOut == config.batchSize()));
    }

    private Uni<Integer> publishDue() {
        return commands.claimDue(db.reads(), config.batchSize(), config.lease(), config.timeout())
                .flatMap(claimed -> {
                    if (claimed.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    List<Uni<CommandRecord>> publishes = new ArrayList<>(claimed.size());
                    for (CommandRepository.Claimed due : claimed) {
                        publishes.add(dispatch.publish(due.command(), due.thingName(), due.attempt()));
                    }
                    return Uni.join().all(publishes).andCollectFailures().replaceWith(claimed.size());
                });
    }
}
