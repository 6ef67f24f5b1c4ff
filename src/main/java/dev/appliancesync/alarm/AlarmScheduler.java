package dev.appliancesync.alarm;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Raises due alarm timers, on every instance: a pass claims due timers ({@code for update skip locked}: one instance
 * raises each) and raises them in one transaction with their entries and outbox messages, then publishes the outbox.
 * <p>
 * Passes run every {@code poll-interval} and, more precisely, when the nearest deadline falls: after each pass the
 * scheduler asks the database how long until the nearest pending deadline (any instance's) and sets a timer for it,
 * and a transaction that starts a timer here sets one too. So an alarm is raised within a few milliseconds of its
 * deadline while the service runs, within {@code poll-interval} of it when its precise timer was lost (set on an
 * instance that died), and at once on start-up when it fell due while no instance ran.
 */
@ApplicationScoped
public class AlarmScheduler {

    private static final Logger LOG = Logger.getLogger(AlarmScheduler.class);
    /** A precise timer fires this much after the deadline, so the database's clock has reached it too. */
    private static final long LATE_MILLIS = 5;

    private final Transactions db;
    private final AlarmTimers timers;
    private final AlarmOutbox outbox;
    private final AlarmRepository alarms;
    private final AlarmsConfig config;
    private final Vertx vertx;
    private final Counter passes;
    /** A pass's statements complete on the pool's event loops, not necessarily the timer's. */
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** When the precise timer set now fires (System.nanoTime), or Long.MAX_VALUE when none is set. */
    private final AtomicLong preciseAt = new AtomicLong(Long.MAX_VALUE);
    private volatile boolean started;
    private long periodic = -1;

    public AlarmScheduler(Transactions db, AlarmTimers timers, AlarmOutbox outbox, AlarmRepository alarms,
            AlarmsConfig config, Vertx vertx, ServiceMetrics metrics) {
        this.db = db;
        this.timers = timers;
        this.outbox = outbox;
        this.alarms = alarms;
        this.config = config;
        this.vertx = vertx;
        this.passes = metrics.alarmsSchedulerPasses();
    }

    void start(@Observes StartupEvent startup) {
        if (!config.enabled()) {
            LOG.info("Alarms are off (appliance-sync.alarms.enabled=false): no timer starts, no alarm is raised");
            return;
        }
        started = true;
        periodic = vertx.getDelegate().setPeriodic(config.pollInterval().toMillis(), tick -> run());
        run(); // what fell due while no instance ran is raised now
    }

    void stop(@Observes ShutdownEvent stopping) {
        started = false;
        if (periodic >= 0) {
            vertx.getDelegate().cancelTimer(periodic);
        }
    }

    /** A deadline falls in {@code wait}: a pass runs then, unless one is already planned sooner. */
    public void wakeIn(Duration wait) {
        if (!started) {
            return;
        }
        long millis = Math.max(0, wait.toMillis()) + LATE_MILLIS;
        if (millis >= config.pollInterval().toMillis() * 2) {
            return; // later passes set the precise timer as the deadline nears
        }
        long at = System.nanoTime() + millis * 1_000_000;
        long planned = preciseAt.get();
        if (planned - System.nanoTime() > 0 && planned <= at) {
            return;
        }
        preciseAt.set(at);
        vertx.getDelegate().setTimer(Math.max(1, millis), fired -> {
            preciseAt.compareAndSet(at, Long.MAX_VALUE);
            run();
        });
    }

    /** One pass at a time; a pass asked for meanwhile, or one that filled a batch, runs right after. */
    private void run() {
        if (!started) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        runOnce().subscribe().with(busy -> {
            running.set(false);
            if (busy || again.get()) {
                run();
            }
        }, failure -> {
            running.set(false);
            LOG.warnf("Alarm scheduler pass failed (the next pass retries): %s", failure.toString());
        });
    }

    /** Raises a batch of due timers, publishes a batch of messages, plans the next wake-up; true if a batch was full. */
    Uni<Boolean> runOnce() {
        return db.inTransaction(timers::raiseDue)
                .flatMap(raised -> outbox.publishDue().map(published -> raised == config.batchSize()
                        || published == config.batchSize()))
                .call(busy -> alarms.nextDue(db.reads()).invoke(next -> next.ifPresent(this::wakeIn)))
                .invoke(() -> passes.increment());
    }
}
