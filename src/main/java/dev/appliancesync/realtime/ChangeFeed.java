package dev.appliancesync.realtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeSignal;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;

/**
 * Reads the change log in order, a batch at a time, and hands it to {@link LiveChanges}: after every wake-up from
 * {@link ChangeSignal} (a commit here, at once and in-process, or a NOTIFY from another instance), soon again while
 * committed entries are held back behind an older transaction (see {@link ChangeLog.Settled}), and, as a fallback,
 * every poll interval. One read at a time; a wake-up during a read makes it read again.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);

    private final Transactions db;
    private final ChangeLog log;
    private final ChangeSignal signal;
    private final LiveChanges live;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private final Context context;
    /** The last position delivered here; null until the feed has started. */
    private Position position;
    private boolean reading;
    private boolean readAgain;
    private long poller = -1;
    /** The last wait before reading again for entries held back (ms); 0 when none are. */
    private long heldBackWait;
    /** The timer of that read, or -1. */
    private long heldBackRetry = -1;
    /**
     * When the first wake-up not yet taken to the context came (nanoTime); 0 if none. Wake-ups that come while one is
     * on its way share its hop: a transaction that appends three times (states, presence, events) wakes the feed three
     * times on its commit, and each hop that found a read running used to cost one more read when it ended.
     */
    private final AtomicLong wakeUpOnItsWay = new AtomicLong();
    private final Timer woken;
    private final Timer readStage;
    private final Timer handed;

    public ChangeFeed(Transactions db, ChangeLog log, ChangeSignal signal, LiveChanges live, RealtimeConfig config,
            Vertx vertx, ServiceMetrics metrics) {
        this.db = db;
        this.log = log;
        this.signal = signal;
        this.live = live;
        this.config = config;
        this.vertx = vertx;
        this.context = live.context();
        this.woken = metrics.devicePath(ServiceMetrics.DevicePathStage.WOKEN);
        this.readStage = metrics.devicePath(ServiceMetrics.DevicePathStage.READ);
        this.handed = metrics.devicePath(ServiceMetrics.DevicePathStage.HANDED);
    }

    void start(@Observes StartupEvent started) {
        signal.onChange(this::wake);
        context.runOnContext(ignored -> {
            poller = vertx.getDelegate().setPeriodic(config.pollInterval().toMillis(), tick -> read());
            read();
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (poller >= 0) {
            vertx.getDelegate().cancelTimer(poller);
        }
    }

    /** The log may have grown. Safe from any thread. */
    public void wake() {
        if (wakeUpOnItsWay.compareAndSet(0, Math.max(1, System.nanoTime()))) {
            context.runOnContext(ignored -> read());
        }
    }

    private void read() {
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        readAgain = false;
        // Taken before the read starts: a commit from now on may not be in it, and must wake the feed again.
        long wokenAt = wakeUpOnItsWay.getAndSet(0);
        if (wokenAt != 0) {
            woken.record(System.nanoTime() - wokenAt, TimeUnit.NANOSECONDS);
        }
        if (position == null) {
            // Start at the head: subscribers that connect from now on catch up by cursor for anything older.
            log.head(db.reads()).emitOn(this::onContext).subscribe().with(head -> {
                position = head;
                live.feedStartsAfter(head);
                done(false);
            }, this::failed);
            return;
        }
        long[] readAt = new long[1];
        log.settledAfter(db.reads(), position, config.batchSize()).emitOn(this::onContext)
                .invoke(read -> readAt[0] = traceRead(read.entries()))
                .call(read -> live.deliver(read.entries()).emitOn(this::onContext)
                        .invoke(() -> record(handed, System.nanoTime() - readAt[0], read.entries().size())))
                .subscribe().with(read -> {
                    List<ChangeRecord> changes = read.entries();
                    if (!changes.isEmpty()) {
                        position = changes.get(changes.size() - 1).position();
                    }
                    heldBack(read.heldBack());
                    done(changes.size() == config.batchSize());
                }, this::failed);
    }

    /**
     * Committed entries wait behind an older transaction: its end wakes nobody when it appends no entry of its own,
     * so the feed reads again after 1 ms, then 2, 4... up to the poll interval, rather than only at the next poll.
     */
    private void heldBack(boolean heldBack) {
        if (!heldBack) {
            heldBackWait = 0;
            return;
        }
        if (heldBackRetry >= 0) {
            return;
        }
        heldBackWait = heldBackWait == 0 ? 1 : Math.min(heldBackWait * 2, config.pollInterval().toMillis());
        heldBackRetry = vertx.getDelegate().setTimer(heldBackWait, timer -> {
            heldBackRetry = -1;
            read();
        });
    }

    /** Times each entry from its transaction's start to now; returns now (nanoTime). */
    private long traceRead(List<ChangeRecord> changes) {
        Instant now = Instant.now();
        for (ChangeRecord change : changes) {
            readStage.record(Duration.between(change.at().toInstant(), now));
        }
        return System.nanoTime();
    }

    private static void record(Timer timer, long nanos, int times) {
        for (int i = 0; i < times; i++) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void done(boolean more) {
        reading = false;
        if (more || readAgain) {
            read();
        }
    }

    private void failed(Throwable failure) {
        LOG.warnf("Cannot read the change log (retrying at the next poll): %s", failure.getMessage());
        reading = false;
        wakeUpOnItsWay.set(0); // the next commit wakes the feed again at once
    }

    private void onContext(Runnable task) {
        context.runOnContext(ignored -> task.run());
    }
}
