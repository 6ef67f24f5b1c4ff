package dev.appliancesync.realtime;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.appliancesync.access.Subject;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.smallrye.mutiny.helpers.Subscriptions;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * One open subscription on this instance: whose token opened it, what it wants, where its changes go, and how far into
 * the log it has got. It is also its subscriber's {@link Flow.Subscription}: what it was handed waits in a backlog
 * until the subscriber asks for it, and reaches the subscriber on the subscriber's own context.
 * <p>
 * Each is decided with the groups of its own connection's token ({@link #subject()}): two connections of one user can
 * hold tokens of different groups (one opened before, one after a change of groups), and each sees what its token
 * allows. A connection's token does not change while it is open (graphql-ws has no re-authentication; the connection
 * closes when its token expires), so neither does a subscription's subject.
 * <p>
 * A subscription starts at a position (the client's cursor, or where the feed was when it arrived) and first catches
 * up from the log to the position the feed has delivered; only then does it take entries from the feed. Its position
 * only moves forward and an entry at or before it is never handed on again, so the hand-over from catching up to the
 * feed can overlap by an entry but never repeat or skip one. The position is touched on the {@link LiveChanges}
 * context only.
 * <p>
 * Lean while idle: most subscriptions wait for hours between two changes, and an instance holds tens of thousands.
 * The backlog is made when the first item is handed on and dropped once the subscriber has read it all, so an idle
 * subscription holds no queue (a Mutiny overflow buffer and {@code emitOn} held two 256-slot queues each, made up
 * front). More than {@link Limits#maxBuffered} waiting ends it with SLOW_CONSUMER, the backlog dropped: the client
 * resumes from the last cursor it read. The backlog is guarded by this object's lock: it is filled on the
 * {@link LiveChanges} context and read on the subscriber's.
 */
final class LiveSubscription<T> implements Flow.Subscription {

    /**
     * What every subscription of an instance shares: the most items that may wait for a subscriber, and the error that
     * ends one that fell further behind (it also counts it).
     */
    record Limits(int maxBuffered, Supplier<ApiException> tooSlow) {
    }

    private final Subject subject;
    private final LiveFilter filter;
    private final MultiSubscriber<? super T> subscriber;
    /** What the subscriber is handed of each change (on its context, one at a time: see {@link #drain}). */
    private final LiveItems<? extends T> items;
    /** Where the subscriber reads: its connection's context (its GraphQL execution and write run there). */
    private final Executor subscriberContext;
    private final Limits limits;
    /** Runs once when it ends, however it ends (cancelled by the subscriber, or failed here). */
    private final Consumer<LiveSubscription<?>> onEnd;

    // Guarded by this.
    /** Handed on and not yet read by the subscriber; null while there is none. */
    private ArrayDeque<ChangeRecord> backlog;
    /** Items the subscriber asked for and has not had yet. */
    private long requested;
    /** A drain is scheduled or running on the subscriber's context: at most one at a time. */
    private boolean draining;
    /** Ended: takes nothing more. */
    private boolean ended;
    /** The error to send once the backlog has been read (or at once, when it was dropped); null if none. */
    private Throwable failure;
    /** Set once the subscriber has had its last signal (or cancelled). */
    private boolean terminated;
    /** What to run once the subscriber has read enough of what it was handed (a paused catch-up), or null. */
    private Runnable whenDrained;
    private int resumeAt;

    // On the LiveChanges context only.
    /** The last log position this subscription has passed; null until it has a starting point. */
    private Position position;
    private boolean live;

    LiveSubscription(Subject subject, LiveFilter filter, MultiSubscriber<? super T> subscriber,
            LiveItems<? extends T> items, Executor subscriberContext, Limits limits,
            Consumer<LiveSubscription<?>> onEnd) {
        this.subject = subject;
        this.filter = filter;
        this.subscriber = subscriber;
        this.items = items;
        this.subscriberContext = subscriberContext;
        this.limits = limits;
        this.onEnd = onEnd;
    }

    /** The user and the groups of the token that opened it. */
    Subject subject() {
        return subject;
    }

    LiveFilter filter() {
        return filter;
    }

    Position position() {
        return position;
    }

    boolean isLive() {
        return live;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    /** Where it starts: it will see every entry after {@code start}. */
    void startAfter(Position start) {
        position = start;
    }

    /** Caught up with the feed: from now on the feed's entries come here. */
    void goLive() {
        live = true;
    }

    /** Every entry up to {@code passed} has been considered (handed on or not wanted). */
    void passed(Position passed) {
        if (position == null || position.isBefore(passed)) {
            position = passed;
        }
    }

    /**
     * A change from the feed that the user may see (already decided and redacted); delivered if this subscription is
     * live, has not had it yet and wants it. True if it was handed on (to the backlog, then the subscriber).
     */
    boolean offer(ChangeRecord visible) {
        return live && replay(visible);
    }

    /** The same for an entry read back from the log while catching up. */
    boolean replay(ChangeRecord visible) {
        if (position != null && !position.isBefore(visible.position())) {
            return false; // already had it: the catch-up and the feed overlap by at most this
        }
        passed(visible.position());
        return filter.wants(visible) && hand(visible);
    }

    /** An entry that is not from the log (a current state, the starting cursor): handed on if wanted. */
    boolean offerOutsideLog(ChangeRecord visible) {
        return filter.wants(visible) && hand(visible);
    }

    /** Tells the client where it starts: its first item, whatever the filter. */
    void announceStart(ChangeRecord marker) {
        hand(marker);
    }

    /** How many handed-on changes the subscriber has not read yet. */
    synchronized int unread() {
        return backlog == null ? 0 : backlog.size();
    }

    /**
     * Runs {@code resume} once at most {@code resumeAt} are left unread (at once if that is already so: the subscriber
     * may have read them while this was being set up).
     */
    void whenDrained(Runnable resume, int resumeAt) {
        synchronized (this) {
            if (unread() > resumeAt) {
                this.whenDrained = resume;
                this.resumeAt = resumeAt;
                return;
            }
        }
        resume.run();
    }

    /** Ends it with an error (CURSOR_EXPIRED, ...), after what it was handed before. */
    void fail(ApiException error) {
        end(error, false);
    }

    /**
     * Its user, with its token, may no longer see the one appliance it is on: it ends with ACCESS_REVOKED, unless it
     * had ended already. {@code counted} runs if it ends here, before the subscriber can be told: whoever sees the
     * error also sees it counted.
     */
    void revoke(Runnable counted) {
        UUID only = filter.applianceId();
        if (only != null) {
            end(new ApiException(ErrorCode.ACCESS_REVOKED, "Your access to this appliance has ended",
                    Map.of("applianceId", only.toString())), false, counted);
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            cancel();
            subscriber.onFailure(Subscriptions.getInvalidRequestException());
            return;
        }
        synchronized (this) {
            requested = Subscriptions.add(requested, n);
            if (backlog == null || draining) {
                return;
            }
            draining = true;
        }
        subscriberContext.execute(this::drain);
    }

    @Override
    public void cancel() {
        boolean first;
        synchronized (this) {
            terminated = true;
            backlog = null;
            whenDrained = null;
            first = !ended;
            ended = true;
        }
        if (first) {
            onEnd.accept(this);
        }
    }

    private boolean hand(ChangeRecord item) {
        boolean schedule;
        boolean tooSlow = false;
        synchronized (this) {
            if (ended) {
                return false;
            }
            if (backlog == null) {
                backlog = new ArrayDeque<>(4);
            } else if (backlog.size() >= limits.maxBuffered()) {
                tooSlow = true;
            }
            if (tooSlow) {
                schedule = false; // end() schedules the drain that sends the error
            } else {
                backlog.add(item);
                schedule = !draining && requested > 0;
                draining |= schedule;
            }
        }
        if (tooSlow) {
            end(limits.tooSlow().get(), true);
            return false;
        }
        if (schedule) {
            subscriberContext.execute(this::drain);
        }
        return true;
    }

    /** Ends it with {@code error}, unless it has ended; {@code dropBacklog}: sent at once, not after what waits. */
    private void end(Throwable error, boolean dropBacklog) {
        end(error, dropBacklog, () -> {
        });
    }

    /** The same; {@code counted} runs first if it ends here (under the lock a running drain waits on). */
    private void end(Throwable error, boolean dropBacklog, Runnable counted) {
        boolean schedule;
        synchronized (this) {
            if (ended) {
                return;
            }
            counted.run();
            ended = true;
            failure = error;
            whenDrained = null;
            if (dropBacklog) {
                backlog = null;
            }
            schedule = !draining;
            draining = true;
        }
        onEnd.accept(this);
        if (schedule) {
            subscriberContext.execute(this::drain);
        }
    }

    /** On the subscriber's context: hands it what it asked for and what waits, then the ending, if any. */
    private void drain() {
        while (true) {
            ChangeRecord next = null;
            Throwable last = null;
            Runnable resume = null;
            synchronized (this) {
                if (terminated) {
                    draining = false;
                    return;
                }
                boolean waiting = backlog != null && !backlog.isEmpty();
                if (waiting && requested > 0) {
                    next = backlog.poll();
                    requested--;
                    if (backlog.isEmpty()) {
                        backlog = null; // nothing held while idle
                    }
                    if (whenDrained != null && unread() <= resumeAt) {
                        resume = whenDrained;
                        whenDrained = null;
                    }
                } else if (!waiting && failure != null) {
                    last = failure;
                    terminated = true;
                    draining = false;
                } else {
                    draining = false;
                    return;
                }
            }
            if (last != null) {
                subscriber.onFailure(last);
                return;
            }
            T item;
            try {
                item = items.itemOf(next);
            } catch (RuntimeException failed) {
                failWhileDraining(failed);
                return;
            }
            if (item == null) {
                synchronized (this) {
                    requested = Subscriptions.add(requested, 1); // skipped: the demand it took is still there
                }
            } else {
                subscriber.onItem(item);
            }
            if (resume != null) {
                resume.run();
            }
        }
    }

    /** Making an item failed (a bug, not the client's doing): the subscriber gets the failure, nothing after it. */
    private void failWhileDraining(RuntimeException failed) {
        boolean first;
        synchronized (this) {
            first = !ended;
            ended = true;
            terminated = true;
            draining = false;
            backlog = null;
            whenDrained = null;
        }
        if (first) {
            onEnd.accept(this);
        }
        subscriber.onFailure(failed);
    }
}
