package dev.appliancesync.realtime;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.graphql.GraphQLException;
import org.jboss.logging.Logger;

import dev.appliancesync.access.PolicyClock;
import dev.appliancesync.access.PolicyStore;
import dev.appliancesync.access.Subject;
import dev.appliancesync.change.Audience;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.quarkus.runtime.Startup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

/**
 * The open subscriptions of this instance and the delivery of change-log entries to them, in log order.
 * <p>
 * Each user with open subscriptions here has one {@link AccessView}: the rows of their grants, which depend on the user
 * alone. Every entry is decided when it is delivered ({@link ChangeVisibility}) against that view under the groups of
 * each subscription's own token ({@link LiveSubscription#subject()}), once per distinct token; an entry that changes
 * someone's access (a share revoked, expired, an appliance transferred...) is delivered, then their view is read again
 * before any later entry goes out. All state lives on one Vert.x context, so there is no locking and the order of the
 * log is the order of delivery.
 * <p>
 * A subscription on one appliance ends with ACCESS_REVOKED as soon as its token may no longer view that appliance,
 * whatever took the access away, each decided on this context between two deliveries: a new view of the user (the
 * grant is gone, or the policies refuse the grant that is left), a policy set reloaded ({@link PolicyStore.Reloaded};
 * every subscription is decided again), or a new minute, the finest time a policy sees, when some policy reads the
 * time (quiet hours): checked every second, so a window that closes ends the subscriptions it ended access for
 * within a second of the minute. Deliveries never wait for any of this: each is decided with the policies and the
 * time of its own moment, so a change the policies now refuse is not delivered even before the subscription ends.
 * <p>
 * What a subscription does with an entry it was handed (execute its GraphQL selection, serialise, write to its
 * WebSocket) runs on the context the subscription was opened on, its connection's event loop, in the order handed.
 * That is most of the cost of a delivery (FanOutBenchmark's profile); on the one context that decides, it would cap
 * the instance's deliveries at one core, whatever the cores, and delay whatever else shares that event loop.
 * <p>
 * No gap when a subscription opens. Every subscription starts at a log position: the client's cursor, or the
 * position the feed had delivered when the subscription arrived here. It first catches up, reading the user's entries
 * from the log up to the position the feed has delivered by then (decided by the same rule), and only then takes
 * entries from the feed; the switch happens on this context, between two entries of the feed, so nothing falls
 * between the two sources, and an entry both could hand on goes out once (a subscription's position only moves
 * forward). Without it, a user's first subscription here missed whatever the feed delivered while their access view
 * was being read (they were in no index yet), and a client could not tell from which point on the stream was
 * complete.
 */
// Created at start, not on first use: its meters are scraped as zeros from the start rather than missing.
@Startup
@ApplicationScoped
public class LiveChanges {

    private static final Logger LOG = Logger.getLogger(LiveChanges.class);
    /** How often the minute is looked at (not the subscriptions): the bound on a time window's lateness. */
    private static final long MINUTE_CHECK_MILLIS = 1_000;
    /** The time after which a delivery hands the rest of a read to a later turn of the context (see deliver). */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * The entries after which it does so whatever the time: a subscriber on this same event loop reads its backlog
     * only between two slices, and must not be handed more than its buffer holds in one.
     */
    static final int SLICE_ENTRIES = 32;

    private final SharedViewLoads views;
    private final SubscriptionAdmission admission;
    private final ChangeVisibility visibility;
    private final ChangeLog log;
    private final PolicyStore policies;
    private final PolicyClock clock;
    private final Transactions db;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private final Context context;
    private final Timer lag;
    private final Timer revocationCutoff;
    private final Timer sliceTime;
    private final Counter delivered;
    private final Counter droppedSlow;
    private final Counter droppedRevoked;
    private final LiveSubscription.Limits limits;
    /** How subscriptions' drains reach their connections' contexts: batched per event loop. */
    private final ContextHandOff handOff = new ContextHandOff();
    /** Open subscriptions here; changed on the context, read by the metrics scrape from any thread. */
    private final AtomicInteger active = new AtomicInteger();
    private final Map<UUID, UserStreams> users = new HashMap<>();
    private final Map<UUID, Set<UserStreams>> byAppliance = new HashMap<>();
    private final Map<UUID, Set<UserStreams>> byHousehold = new HashMap<>();
    /**
     * The position of the last entry the feed has handed over (every live subscription has been offered everything up
     * to it); null until the feed has started. Subscriptions catch up to it before they go live.
     */
    private Position feedPosition;
    /** The policy clock's minute the open subscriptions were last decided in (see {@link #onSecond()}). */
    private long decidedMinute;

    public LiveChanges(AccessViews views, SubscriptionAdmission admission, ChangeVisibility visibility, ChangeLog log,
            PolicyStore policies, PolicyClock clock, Transactions db, RealtimeConfig config, Vertx vertx,
            ServiceMetrics metrics) {
        this.views = new SharedViewLoads(views, metrics.realtimeAccessLoads());
        this.admission = admission;
        this.visibility = visibility;
        this.log = log;
        this.policies = policies;
        this.clock = clock;
        this.db = db;
        this.config = config;
        this.vertx = vertx;
        this.context = vertx.getDelegate().getOrCreateContext();
        this.lag = metrics.realtimeDeliveryLag();
        this.revocationCutoff = metrics.realtimeRevocationCutoff();
        this.sliceTime = metrics.realtimeDeliverySlice();
        this.delivered = metrics.realtimeEventsDelivered();
        this.droppedSlow = metrics.realtimeSubscriptionsDropped(ErrorCode.SLOW_CONSUMER,
                "its buffer overflowed (the client fell behind); the connection-level close is slow_consumers_closed");
        this.droppedRevoked = metrics.realtimeSubscriptionsDropped(ErrorCode.ACCESS_REVOKED,
                "the user lost access to its appliance");
        this.limits = new LiveSubscription.Limits(config.maxBufferedEvents(), this::tooSlow);
        metrics.realtimeSubscriptionsActive(active);
        this.decidedMinute = PolicyClock.minuteOf(clock.now());
        context.runOnContext(ignored -> vertx.getDelegate().setPeriodic(MINUTE_CHECK_MILLIS, tick -> onSecond()));
    }

    /** Opens the live subscription of a signed-in user for {@code subscriber}, handed on {@code subscriberContext}. */
    private <T> void open(Subject subject, LiveFilter filter, Function<AccessView, Uni<List<ChangeRecord>>> initial,
            LiveStart start, Executor subscriberContext, SubscriptionAdmission.Admission admitted,
            LiveItems<T> items, MultiSubscriber<? super T> subscriber) {
        LiveSubscription<T> subscription = new LiveSubscription<>(subject, filter, subscriber, items,
                subscriberContext, limits, ended -> {
                    admitted.release();
                    onContext(() -> remove(subject.userId(), ended));
                });
        subscriber.onSubscribe(subscription);
        onContext(() -> add(subject, subscription, initial, start, admitted));
    }

    /** What a subscriber that fell too far behind is ended with (counted here). */
    private ApiException tooSlow() {
        droppedSlow.increment();
        return new ApiException(ErrorCode.SLOW_CONSUMER, "This subscription fell more than "
                + config.maxBufferedEvents() + " changes behind; resubscribe and catch up with changes(since:)");
    }

    /**
     * Changes this user may see from now on, as they happen, that {@code filter} wants, once {@code subject} is
     * signed in. {@code initial} (may be null) supplies entries to send first (decided like any other), read once the
     * subscription is in place, e.g. the current device state. Call it on the subscriber's context (the resolver's):
     * the subscription's own work runs there.
     */
    public Multi<ChangeRecord> stream(Uni<Subject> subject, LiveFilter filter,
            Function<AccessView, Uni<List<ChangeRecord>>> initial) {
        return stream(subject, filter, initial, LiveStart.NOW);
    }

    /** The same, from {@code start} (see below), the changes themselves. */
    public Multi<ChangeRecord> stream(Uni<Subject> subject, LiveFilter filter,
            Function<AccessView, Uni<List<ChangeRecord>>> initial, LiveStart start) {
        return stream(subject, filter, initial, start, LiveItems::changes);
    }

    /**
     * The same, from {@code start}: after a client's cursor (replayed from the log, then live, with no gap and no
     * repeat; CURSOR_EXPIRED if the log no longer reaches back that far), or from now, optionally announced.
     * <p>
     * Nothing is read until the subscription is admitted ({@link SubscriptionAdmission}), not even {@code subject}
     * (the caller's sign-in): the stream starts then, and its first item comes then.
     * <p>
     * Each change becomes the item {@code items} makes of it, a new {@link LiveItems} per subscription: what a field
     * does per item belongs there rather than in operators after this stream (see LiveItems for why).
     */
    public <T> Multi<T> stream(Uni<Subject> subject, LiveFilter filter,
            Function<AccessView, Uni<List<ChangeRecord>>> initial, LiveStart start, Supplier<LiveItems<T>> items) {
        Executor subscriberContext = subscriberContext();
        return new AdmittedStream<T>(admission, subject, (signedIn, admitted, subscriber) -> open(signedIn, filter,
                initial, start, subscriberContext, admitted, items.get(), subscriber),
                failure -> failure instanceof ApiException ? endingError(failure) : failure);
    }

    /**
     * The context of the caller (the connection's event loop, where the resolver runs) as an executor, batched with
     * the other subscriptions of its event loop ({@link ContextHandOff}); in place when there is none, or it is the one
     * this runs on, and a hop would gain nothing.
     */
    private Executor subscriberContext() {
        Context caller = io.vertx.core.Vertx.currentContext();
        if (caller == null || caller == context) {
            return Runnable::run;
        }
        if (caller.isEventLoopContext()) {
            return handOff.to(caller);
        }
        return task -> caller.runOnContext(ignored -> task.run());
    }

    /**
     * How a subscription that ends with an error (ACCESS_REVOKED, SLOW_CONSUMER, NOT_FOUND...) must fail for SmallRye
     * to send that error alone: as a GraphQL exception with no partial result (otherwise it resends the last item
     * with the error) for a nullable field (a null for a non-null one is dropped with a log line).
     */
    private static Throwable endingError(Throwable failure) {
        return new GraphQLException(failure.getMessage(), failure, (Object) null);
    }

    /**
     * Delivers entries read from the log, in order; completes when each has reached every subscriber it should.
     * <p>
     * In slices, each a turn of this context: a read of the log holds up to a batch of entries, each decided for every
     * user it may concern, and in one turn that blocked this event loop for seconds under load (2.8 to 7.9 s by the
     * blocked-thread checker), and every connection and subscriber that shares it. A slice ends after the entry that
     * used up {@link #SLICE_NANOS} or {@link #SLICE_ENTRIES}; the rest goes on in a later turn, behind what queued
     * meanwhile (subscribers reading their backlogs, sockets). Nothing can come between two entries that could not
     * come between two reads already, so the order and the hand-over to catching-up subscriptions stay as they were.
     */
    Uni<Void> deliver(List<ChangeRecord> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(done -> deliverFrom(changes, 0, done));
    }

    /** Delivers {@code changes} from {@code next} on, one slice in this turn; on this context. */
    private void deliverFrom(List<ChangeRecord> changes, int next, UniEmitter<? super Void> done) {
        long started = System.nanoTime();
        int entry = next;
        try {
            while (entry < changes.size()) {
                Uni<Void> waiting = deliver(changes.get(entry++));
                int resume = entry;
                if (waiting != null) { // a view is being read: the rest goes on once it is in
                    sliceTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    waiting.emitOn(this::onContext).subscribe().with(ignored -> deliverFrom(changes, resume, done),
                            done::fail);
                    return;
                }
                if (resume < changes.size()
                        && (resume - next >= SLICE_ENTRIES || System.nanoTime() - started >= SLICE_NANOS)) {
                    sliceTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    onContext(() -> deliverFrom(changes, resume, done));
                    return;
                }
            }
        } catch (RuntimeException failed) {
            done.fail(failed);
            return;
        }
        sliceTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        done.complete(null);
    }

    /** The context all of this runs on; the feed reads there too. */
    Context context() {
        return context;
    }

    /** The feed starts reading after {@code head}: subscriptions that arrived before now have a starting point. */
    void feedStartsAfter(Position head) {
        feedPosition = head;
    }

    /** Delivers one entry: null if that is done, or what it waits for (the access of some of its users). */
    private Uni<Void> deliver(ChangeRecord change) {
        // Passed before the targets are taken: a subscription that goes live while this entry is being offered has
        // caught up to and including it, and the offer then finds it already had it.
        feedPosition = change.position();
        List<UserStreams> targets = targetsOf(change);
        if (targets.isEmpty()) {
            return null;
        }
        Instant now = Instant.now();
        List<UserStreams> stale = targets.stream().filter(user -> user.view == null || user.view.isStale(now))
                .toList();
        if (!stale.isEmpty()) {
            return refresh(stale, null).chain(() -> refresh(offer(change, targets), change));
        }
        List<UserStreams> changed = offer(change, targets);
        return changed.isEmpty() ? null : refresh(changed, change);
    }

    /** Offers the change to each target; returns those whose access it changes. */
    private List<UserStreams> offer(ChangeRecord change, List<UserStreams> targets) {
        List<UserStreams> changed = new ArrayList<>();
        for (UserStreams user : targets) {
            if (user.view == null) {
                continue; // could not be read; the next entry tries again
            }
            delivered.increment(user.offer(change, visibility));
            if (visibility.changesAccessOf(change, user.view)) {
                changed.add(user);
            }
        }
        lag.record(Duration.between(change.at().toInstant(), Instant.now()));
        return changed;
    }

    private List<UserStreams> targetsOf(ChangeRecord change) {
        Set<UserStreams> targets = new LinkedHashSet<>();
        switch (change.audience()) {
            case USER -> {
                UserStreams user = users.get(change.userId());
                if (user != null) {
                    targets.add(user);
                }
            }
            case APPLIANCE -> targets.addAll(byAppliance.getOrDefault(change.applianceId(), Set.of()));
            case HOUSEHOLD -> targets.addAll(byHousehold.getOrDefault(change.householdId(), Set.of()));
        }
        return new ArrayList<>(targets);
    }

    /**
     * Reads these users' views again (at once, in parallel), then re-indexes them and ends lost subscriptions.
     * {@code cause} is the entry that changed their access, if one did (it times the cut-off).
     */
    private Uni<Void> refresh(List<UserStreams> stale, ChangeRecord cause) {
        return refresh(stale, cause, views::startingNow);
    }

    /**
     * The same with {@code read}: a read that starts now, or (for a user whose view is not here yet) one that another
     * of their subscriptions started, see {@link SharedViewLoads}.
     */
    private Uni<Void> refresh(List<UserStreams> stale, ChangeRecord cause, Function<Subject, Uni<AccessView>> read) {
        if (stale.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> loads = new ArrayList<>();
        for (UserStreams user : stale) {
            loads.add(read.apply(user.withoutGroups)
                    .emitOn(runnable -> context.runOnContext(ignored -> runnable.run()))
                    .invoke(view -> replaceView(user, view, cause))
                    .onFailure().invoke(failure -> LOG.warnf("Cannot read the access of user %s: %s",
                            user.userId(), failure.getMessage()))
                    .onFailure().recoverWithNull()
                    .replaceWithVoid());
        }
        return Uni.join().all(loads).andCollectFailures().replaceWithVoid();
    }

    private void replaceView(UserStreams user, AccessView view, ChangeRecord cause) {
        AccessView previous = user.view;
        if (previous != null) {
            previous.appliances().keySet().forEach(id -> unindex(byAppliance, id, user));
            previous.households().keySet().forEach(id -> unindex(byHousehold, id, user));
        }
        user.view = view;
        if (users.get(view.userId()) == user) {
            view.appliances().keySet().forEach(id -> byAppliance.computeIfAbsent(id, k -> new HashSet<>()).add(user));
            view.households().keySet().forEach(id -> byHousehold.computeIfAbsent(id, k -> new HashSet<>()).add(user));
        }
        endLost(user, previous == null ? Set.of() : previous.appliancesLostIn(view),
                cause == null ? null : cause.at().toInstant(), Instant.now());
    }

    /**
     * Ends, with ACCESS_REVOKED, each subscription of {@code user} on one appliance that its own token may no longer
     * view: the user lost every grant on it ({@code lostGrants}), or the policies, now, refuse the grants they hold.
     * An appliance outside the view (reached through a group policy alone, with no grant) is left alone: the view has
     * nothing to decide it with. {@code ended}: when the access ended, if known, timing the cut-off up to {@code now}.
     */
    private void endLost(UserStreams user, Set<UUID> lostGrants, Instant ended, Instant now) {
        if (user.view == null) {
            return;
        }
        for (LiveSubscription<?> subscription : List.copyOf(user.subscriptions)) {
            UUID only = subscription.filter().applianceId();
            if (only == null || subscription.isEnded()) {
                continue;
            }
            boolean lost = lostGrants.contains(only) || user.view.appliances().containsKey(only)
                    && !visibility.mayViewStatus(user.view.as(subscription.subject()), only);
            if (lost) {
                subscription.revoke(() -> {
                    droppedRevoked.increment();
                    if (ended != null) {
                        revocationCutoff.record(Duration.between(ended, now));
                    }
                });
            }
        }
    }

    /** Every open subscription decided again, as the policies say now; on this context. */
    private void decideAgain(Instant ended, Instant now) {
        for (UserStreams user : List.copyOf(users.values())) {
            endLost(user, Set.of(), ended, now);
        }
    }

    /** A new policy set is in force: what it no longer allows ends now, not at the user's next access change. */
    void onPoliciesReloaded(@Observes PolicyStore.Reloaded reloaded) {
        onContext(() -> decideAgain(reloaded.at(), Instant.now()));
    }

    /**
     * Once a second, on this context: in a new minute of the policies' clock, if some policy reads the time, every open
     * subscription is decided again (a quiet-hours window has opened, a permit's window has closed). A look at the
     * clock, not at the subscriptions: those are decided once a minute at most, and only under such policies.
     */
    private void onSecond() {
        Instant now = clock.now();
        long minute = PolicyClock.minuteOf(now);
        if (minute == decidedMinute) {
            return;
        }
        decidedMinute = minute;
        if (policies.current().readsTime()) {
            decideAgain(Instant.ofEpochSecond(minute * 60), now);
        }
    }

    private void add(Subject subject, LiveSubscription<?> subscription,
            Function<AccessView, Uni<List<ChangeRecord>>> initial, LiveStart start,
            SubscriptionAdmission.Admission admitted) {
        if (subscription.isEnded()) {
            return; // cancelled before it got here: its removal has run already
        }
        UserStreams user = users.computeIfAbsent(subject.userId(), UserStreams::new);
        user.subscriptions.add(subscription);
        active.incrementAndGet();
        Position from = start.after() != null ? start.after() : feedPosition;
        if (from != null) {
            begin(user, subscription, from, start);
        }
        Uni<Void> ready = readView(user, subscription.filter());
        if (start.after() != null) {
            // Checked before anything else: the feed may never have read entries that retention deleted since.
            ready = ready.chain(() -> log.ends(db.reads()).invoke(ends -> ends.require(start.after())))
                    .replaceWithVoid();
        }
        if (initial != null) {
            ready = ready.chain(() -> handInitial(user, subscription, initial));
        }
        ready.emitOn(this::onContext).subscribe().with(ignored -> {
            admitted.release(); // in place: what follows reads the log at the reader's pace
            catchUp(user, subscription, start);
        }, failure -> {
            admitted.release();
            if (failure instanceof ApiException refused) {
                subscription.fail(refused);
            } else {
                catchUpLater(user, subscription, start);
            }
        });
    }

    /** Hands the subscription what {@code initial} reads (a current state), decided like any entry; never fails. */
    private Uni<Void> handInitial(UserStreams user, LiveSubscription<?> subscription,
            Function<AccessView, Uni<List<ChangeRecord>>> initial) {
        Uni<List<ChangeRecord>> entries = user.view == null ? Uni.createFrom().item(List.of()) : initial.apply(user.view);
        return entries.emitOn(this::onContext)
                .invoke(read -> read.forEach(entry -> {
                    if (user.view != null) {
                        visibility.visible(user.view.as(subscription.subject()), entry)
                                .filter(subscription::offerOutsideLog)
                                .ifPresent(handed -> delivered.increment());
                    }
                }))
                .onFailure().invoke(failure -> LOG.warnf("Cannot read the initial state of a subscription: %s",
                        failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Where {@code subscription} starts; a client that asked is told. */
    private static void begin(UserStreams user, LiveSubscription<?> subscription, Position from, LiveStart start) {
        subscription.startAfter(from);
        if (start.announce()) {
            subscription.announceStart(new ChangeRecord(from, Audience.USER, user.userId(), null, null,
                    ChangeType.SUBSCRIBED, new JsonObject(), OffsetDateTime.now(ZoneOffset.UTC)));
        }
    }

    /**
     * Hands {@code subscription} the user's entries from its position up to the feed's, a page at a time and no faster
     * than the subscriber reads, then lets it go live. On this context.
     */
    private void catchUp(UserStreams user, LiveSubscription<?> subscription, LiveStart start) {
        if (subscription.isEnded() || subscription.isLive()) {
            return;
        }
        if (subscription.position() == null) {
            if (feedPosition == null) {
                catchUpLater(user, subscription, start); // arrived before the feed had started
                return;
            }
            begin(user, subscription, feedPosition, start);
        }
        if (user.view == null) {
            catchUpLater(user, subscription, start); // their access could not be read; nothing can be decided yet
            return;
        }
        Position target = feedPosition;
        Position from = subscription.position();
        if (!from.isBefore(target)) {
            subscription.goLive();
            return;
        }
        if (subscription.unread() > catchUpPauseAt()) {
            subscription.whenDrained(() -> onContext(() -> catchUp(user, subscription, start)), catchUpResumeAt());
            return;
        }
        AccessView view = user.view;
        // Each entry read hands on one item at most: never more than the buffer has room for.
        int page = Math.min(config.batchSize(), Math.max(1, catchUpPauseAt() - subscription.unread()));
        log.afterFor(db.reads(), from, view.userId(), view.appliances().keySet(), view.households().keySet(), page)
                // Checked after reading: retention that ran meanwhile has moved the horizon past what is gone.
                .call(entries -> start.after() == null ? Uni.createFrom().voidItem() : log.requireRetained(db.reads(), from))
                .emitOn(this::onContext)
                .subscribe().with(entries -> {
                    boolean reached = entries.size() < page;
                    for (ChangeRecord entry : entries) {
                        if (target.isBefore(entry.position())) {
                            reached = true; // the feed has not delivered it yet: it will
                            break;
                        }
                        if (user.view != null) {
                            visibility.visible(user.view.as(subscription.subject()), entry)
                                    .filter(subscription::replay)
                                    .ifPresent(handed -> delivered.increment());
                        }
                        subscription.passed(entry.position());
                    }
                    if (reached) {
                        subscription.passed(target);
                    }
                    catchUp(user, subscription, start);
                }, failure -> {
                    if (failure instanceof ApiException ended) {
                        subscription.fail(ended);
                        return;
                    }
                    LOG.warnf("Cannot read the change log for a subscription of user %s (retrying): %s",
                            user.userId(), failure.getMessage());
                    catchUpLater(user, subscription, start);
                });
    }

    /** Tries again after a poll interval (the database or the feed was not there yet), reading access if need be. */
    private void catchUpLater(UserStreams user, LiveSubscription<?> subscription, LiveStart start) {
        if (subscription.isEnded()) {
            return;
        }
        vertx.getDelegate().setTimer(config.pollInterval().toMillis(), tick -> onContext(() -> {
            Uni<Void> ready = user.view == null ? refresh(List.of(user), null, views::any)
                    : Uni.createFrom().voidItem();
            ready.emitOn(this::onContext).subscribe().with(ignored -> catchUp(user, subscription, start),
                    failure -> catchUpLater(user, subscription, start));
        }));
    }

    /** Unread items past which a catch-up waits: half the buffer, so live entries arriving meanwhile still fit. */
    private int catchUpPauseAt() {
        return Math.max(1, config.maxBufferedEvents() / 2);
    }

    private int catchUpResumeAt() {
        return config.maxBufferedEvents() / 4;
    }

    private void onContext(Runnable task) {
        context.runOnContext(ignored -> task.run());
    }

    /**
     * The user's view as a new subscription needs it (see {@link #needsFreshView}): read again from now on for one on an
     * appliance the view lacks; otherwise a read in flight for their other subscriptions arriving together serves it
     * too, so a user's reconnecting connections cost one read.
     */
    private Uni<Void> readView(UserStreams user, LiveFilter filter) {
        if (!needsFreshView(user, filter)) {
            return Uni.createFrom().voidItem();
        }
        boolean mayJoin = user.view == null && filter.applianceId() == null;
        return refresh(List.of(user), null, mayJoin ? views::any : views::startingNow);
    }

    /**
     * Whether a new subscription must read the user's access again rather than use the view their other subscriptions
     * keep. That view follows the change feed, which can be behind the database: an app that subscribes to an
     * appliance right after its share was granted is already allowed (the resolver checked), yet the view may not
     * have the appliance until SHARE_GRANTED comes through the feed, and its first state would be filtered out.
     */
    private static boolean needsFreshView(UserStreams user, LiveFilter filter) {
        return user.view == null || user.view.isStale(Instant.now())
                || filter.applianceId() != null && !user.view.appliances().containsKey(filter.applianceId());
    }

    private void remove(UUID userId, LiveSubscription<?> subscription) {
        UserStreams user = users.get(userId);
        if (user == null) {
            return;
        }
        if (user.subscriptions.remove(subscription)) {
            active.decrementAndGet();
        }
        if (user.subscriptions.isEmpty()) {
            users.remove(userId);
            if (user.view != null) {
                user.view.appliances().keySet().forEach(id -> unindex(byAppliance, id, user));
                user.view.households().keySet().forEach(id -> unindex(byHousehold, id, user));
            }
        }
    }

    private static void unindex(Map<UUID, Set<UserStreams>> index, UUID id, UserStreams user) {
        Set<UserStreams> holders = index.get(id);
        if (holders != null && holders.remove(user) && holders.isEmpty()) {
            index.remove(id);
        }
    }

    /**
     * One user's subscriptions on this instance and what they hold grants on. One view whatever their tokens: its rows
     * do not depend on groups, so a user's connections share it, and each subscription puts its own token's groups on
     * it when it is decided.
     */
    private static final class UserStreams {
        /** The user alone, without any token's groups: what their view is read for. */
        final Subject withoutGroups;
        final List<LiveSubscription<?>> subscriptions = new ArrayList<>();
        AccessView view;

        UserStreams(UUID userId) {
            this.withoutGroups = new Subject(userId, Set.of());
        }

        UUID userId() {
            return withoutGroups.userId();
        }

        /**
         * Offers the change to each subscription as that subscription's token may see it, deciding once per distinct
         * token (nearly always one); returns to how many it went.
         */
        int offer(ChangeRecord change, ChangeVisibility visibility) {
            Map<Subject, Optional<ChangeRecord>> decided = new HashMap<>(4);
            int handed = 0;
            for (LiveSubscription<?> subscription : List.copyOf(subscriptions)) {
                Optional<ChangeRecord> visible = decided.computeIfAbsent(subscription.subject(),
                        token -> visibility.visible(view.as(token), change));
                if (visible.isPresent() && subscription.offer(visible.get())) {
                    handed++;
                }
            }
            return handed;
        }
    }
}
