package dev.appliancesync.realtime;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.appliancesync.access.Subject;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Uni;

/**
 * Reads of users' access views for {@link LiveChanges}, at most one running per user: everyone who asks for a user's
 * view while it is read shares that read. After a deploy an app reconnects all its connections and subscriptions at
 * once, each wanting the view; one read each saturated the database pool for minutes (docs/benchmarks.md, #3).
 * <p>
 * Two ways to ask, because a read already running may have started before what the asker must see:
 * <ul>
 * <li>{@link #any}: a view read now or lately. A new subscription of a user whose view is not here yet may join a
 * read in flight: that view is as recent as the one their other subscriptions keep, which the feed brings up to date
 * with every entry that changes their access.</li>
 * <li>{@link #startingNow}: a view read from now on. An entry that changed someone's access must be followed by a
 * read that started after it was committed: a read in flight may have seen the database before it. Who asks while
 * one runs shares the next read, which starts as soon as the running one ends; so a burst costs two reads, not one
 * per asker.</li>
 * </ul>
 * Thread-safe; the views are handed on whatever thread the read ends on.
 */
final class SharedViewLoads {

    private final AccessViews views;
    private final Counter loads;
    /** The read running for each user, with the one to start after it, if someone asked for it. */
    private final Map<UUID, Running> running = new HashMap<>();

    SharedViewLoads(AccessViews views, Counter loads) {
        this.views = views;
        this.loads = loads;
    }

    /** A view of the user read by a read in flight, or by a new one. */
    Uni<AccessView> any(Subject withoutGroups) {
        CompletableFuture<AccessView> view;
        synchronized (this) {
            Running read = running.get(withoutGroups.userId());
            view = read != null ? read.view : start(withoutGroups, new CompletableFuture<>());
        }
        return handOn(view);
    }

    /** A view of the user read by a read that starts now or later, never by one already running. */
    Uni<AccessView> startingNow(Subject withoutGroups) {
        CompletableFuture<AccessView> view;
        synchronized (this) {
            Running read = running.get(withoutGroups.userId());
            if (read == null) {
                view = start(withoutGroups, new CompletableFuture<>());
            } else {
                if (read.next == null) {
                    read.next = new CompletableFuture<>();
                }
                view = read.next;
            }
        }
        return handOn(view);
    }

    /** Each asker gets its own copy: one that cancels must not cancel the read for the others. */
    private static Uni<AccessView> handOn(CompletableFuture<AccessView> view) {
        return Uni.createFrom().completionStage(view::copy);
    }

    /** Starts reading into {@code view}; called holding the lock. */
    private CompletableFuture<AccessView> start(Subject withoutGroups, CompletableFuture<AccessView> view) {
        Running read = new Running(view);
        running.put(withoutGroups.userId(), read);
        loads.increment();
        views.load(withoutGroups).subscribe().with(loaded -> ended(withoutGroups, read, loaded, null),
                failure -> ended(withoutGroups, read, null, failure));
        return view;
    }

    private void ended(Subject withoutGroups, Running read, AccessView loaded, Throwable failure) {
        synchronized (this) {
            if (running.get(withoutGroups.userId()) == read) {
                running.remove(withoutGroups.userId());
                if (read.next != null) {
                    start(withoutGroups, read.next);
                }
            }
        }
        if (failure == null) {
            read.view.complete(loaded);
        } else {
            read.view.completeExceptionally(failure);
        }
    }

    private static final class Running {
        final CompletableFuture<AccessView> view;
        /** The read those who asked for one {@link #startingNow} while this ran share; null if no one did. */
        CompletableFuture<AccessView> next;

        Running(CompletableFuture<AccessView> view) {
            this.view = view;
        }
    }
}
