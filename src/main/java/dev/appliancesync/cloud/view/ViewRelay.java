package dev.appliancesync.cloud.view;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeSignal;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.mqtt.MqttConnectionConfig;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Publishes the app-facing view topics ({@link ViewMessages}) from the change log: at least once, in log order, by
 * one instance at a time. Every instance runs a pass every {@code interval}, and the holder also on each change-log
 * commit ({@link ChangeSignal}: its own, or another instance's NOTIFY); a pass takes the cursor's lease
 * ({@link ViewCursor}) or, if another instance holds it, does nothing (and that instance leaves the wake-ups alone
 * until its next tick, so the others do not touch the cursor row at every commit). The holder reads a page after the cursor, publishes its messages, and
 * moves the cursor past the page only once the broker has acknowledged all of them; a page that fails is published
 * again from its start (a subscriber may see a message twice, and drops one whose cursor it has seen).
 * <p>
 * If the cursor has fallen behind the log's retention horizon (the view was off, or down, for longer than the
 * retention), the deleted entries are gone: the relay goes on from the horizon, logs a warning and counts it.
 */
@ApplicationScoped
public class ViewRelay {

    private static final Logger LOG = Logger.getLogger(ViewRelay.class);

    private final Transactions db;
    private final ChangeLog log;
    private final ChangeSignal signal;
    private final ViewCursor cursor;
    private final AppliancePlacements placements;
    private final ViewPublisher publisher;
    private final ViewConfig config;
    private final Vertx vertx;
    private final String holder;
    private final Counter published;
    private final Counter failedPasses;
    private final Counter retentionSkips;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean runAgain = new AtomicBoolean();
    /** After a failed pass, wake-ups wait for the next tick: a broker that is away is not asked at every commit. */
    private final AtomicBoolean failedSinceTick = new AtomicBoolean();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** Another instance held the lease at the last pass: until the next tick, wake-ups are its business. */
    private final AtomicBoolean otherHolds = new AtomicBoolean();
    /** When the oldest entry read and not yet acknowledged was written (null: none, or another instance holds the lease). */
    private volatile OffsetDateTime unpublishedSince;
    private long timer = -1;

    @Inject
    public ViewRelay(Transactions db, ChangeLog log, ChangeSignal signal, ViewCursor cursor,
            AppliancePlacements placements, ViewPublisher publisher, ViewConfig config, Vertx vertx,
            ServiceMetrics metrics, MqttConnectionConfig mqtt) {
        this(db, log, signal, cursor, placements, publisher, config, vertx, metrics,
                mqtt.clientId() + "/" + UUID.randomUUID());
    }

    /** {@code holder} names this instance in the lease; unique per process. */
    public ViewRelay(Transactions db, ChangeLog log, ChangeSignal signal, ViewCursor cursor,
            AppliancePlacements placements, ViewPublisher publisher, ViewConfig config, Vertx vertx,
            ServiceMetrics metrics, String holder) {
        this.db = db;
        this.log = log;
        this.signal = signal;
        this.cursor = cursor;
        this.placements = placements;
        this.publisher = publisher;
        this.config = config;
        this.vertx = vertx;
        this.holder = holder;
        this.published = metrics.viewPublished();
        this.failedPasses = metrics.viewFailedPasses();
        this.retentionSkips = metrics.viewRetentionSkips();
        metrics.viewLag(this, ViewRelay::lagSeconds);
    }

    void start(@Observes StartupEvent started) {
        if (!config.enabled()) {
            LOG.info("View topics are off (appliance-sync.cloud.view.enabled=false)");
            return;
        }
        signal.onChange(this::wake);
        timer = vertx.getDelegate().setPeriodic(config.interval().toMillis(), tick -> {
            failedSinceTick.set(false);
            otherHolds.set(false);
            trigger();
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer < 0) {
            return;
        }
        vertx.getDelegate().cancelTimer(timer);
        // Another instance takes over now rather than when the lease runs out.
        try {
            cursor.release(holder).await().atMost(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.debugf("Could not release the view lease (it runs out by itself): %s", e.toString());
        }
    }

    /** The log has grown somewhere. Safe from any thread. */
    private void wake() {
        if (!failedSinceTick.get() && !otherHolds.get()) {
            trigger();
        }
    }

    private void trigger() {
        if (!running.compareAndSet(false, true)) {
            runAgain.set(true);
            return;
        }
        runAgain.set(false);
        runOnce().subscribe().with(count -> {
            int failed = consecutiveFailures.getAndSet(0);
            if (failed > 0) {
                LOG.infof("View relay publishing again after %d failed passes", failed);
            }
            running.set(false);
            if (runAgain.get()) {
                trigger();
            }
        }, failure -> {
            running.set(false);
            failedSinceTick.set(true);
            failedPasses.increment();
            // Once per outage at WARN: a broker that is away fails every pass until it is back.
            if (consecutiveFailures.incrementAndGet() == 1) {
                LOG.warnf("View relay pass failed (the next passes publish the page again): %s", failure.toString());
            } else {
                LOG.debugf("View relay pass failed again: %s", failure.toString());
            }
        });
    }

    /**
     * One pass: if this instance holds (or can take) the lease, publishes every page after the cursor; the number of
     * messages acknowledged, 0 if another instance holds the lease.
     */
    public Uni<Integer> runOnce() {
        return cursor.take(holder, config.lease()).flatMap(lease -> {
            otherHolds.set(lease == null);
            if (lease == null) {
                unpublishedSince = null;
                return Uni.createFrom().item(0);
            }
            Uni<Position> from = lease.position().map(position -> Uni.createFrom().item(position))
                    // First start: from the head, not through the whole retained log.
                    .orElseGet(() -> log.head(db.reads()).call(head -> cursor.moveTo(holder, head, config.lease())));
            return from.flatMap(position -> pagesFrom(position, 0));
        });
    }

    private record Page(Position next, int published) {
        /** No next page: the log is read to its end, or the lease was lost. */
        static Page last(int published) {
            return new Page(null, published);
        }
    }

    private Uni<Integer> pagesFrom(Position from, int publishedSoFar) {
        return page(from).flatMap(page -> page.next() == null
                ? Uni.createFrom().item(publishedSoFar + page.published())
                : pagesFrom(page.next(), publishedSoFar + page.published()));
    }

    private Uni<Page> page(Position from) {
        // The horizon is read after the page: retention deleting entries after `from` meanwhile shows up there.
        return log.after(db.reads(), from, config.pageSize()).flatMap(records -> log.horizon(db.reads())
                .flatMap(horizon -> {
                    if (from.isBefore(horizon)) {
                        return skipTo(from, horizon);
                    }
                    if (records.isEmpty()) {
                        unpublishedSince = null;
                        return Uni.createFrom().item(Page.last(0));
                    }
                    if (unpublishedSince == null) {
                        unpublishedSince = records.getFirst().at();
                    }
                    return publish(records);
                }));
    }

    private Uni<Page> publish(List<ChangeRecord> records) {
        List<ChangeRecord> carried = records.stream().filter(ViewMessages::carried).toList();
        Position last = records.getLast().position();
        return placements.of(carried.stream().map(ChangeRecord::applianceId).collect(Collectors.toSet()))
                .map(placed -> messages(carried, placed))
                .flatMap(messages -> publisher.publish(messages).ifNoItem().after(config.pageTimeout()).fail()
                        .replaceWith(messages.size()))
                .flatMap(count -> {
                    published.increment(count);
                    return cursor.moveTo(holder, last, config.lease()).map(held -> {
                        unpublishedSince = null;
                        if (!held) {
                            LOG.infof("View relay: another instance took the lease over; it goes on from the cursor");
                            return Page.last(count);
                        }
                        return records.size() == config.pageSize() ? new Page(last, count) : Page.last(count);
                    });
                });
    }

    private static List<ViewMessage> messages(List<ChangeRecord> carried, Map<UUID, Placement> placed) {
        List<ViewMessage> messages = new ArrayList<>();
        for (ChangeRecord change : carried) {
            Placement placement = placed.get(change.applianceId());
            if (placement != null) { // removed since: no topic to publish on
                messages.addAll(ViewMessages.of(change, placement));
            }
        }
        return messages;
    }

    private Uni<Page> skipTo(Position from, Position horizon) {
        retentionSkips.increment();
        LOG.warnf("View relay: the cursor %s is behind the change log's retention horizon %s: entries between them "
                + "were deleted before they were published; going on from the horizon", Cursors.of(from),
                Cursors.of(horizon));
        return cursor.moveTo(holder, horizon, config.lease()).map(held -> held ? new Page(horizon, 0) : Page.last(0));
    }

    private double lagSeconds() {
        OffsetDateTime since = unpublishedSince;
        return since == null ? 0 : Math.max(0, Duration.between(since, OffsetDateTime.now()).toMillis() / 1000.0);
    }

    /** For tests: how this instance names itself in the lease. */
    String holder() {
        return holder;
    }
}
