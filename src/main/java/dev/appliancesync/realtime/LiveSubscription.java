package dev.appliancesync.realtime;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.appliancesync.access.Subject;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * One open subscription on this instance: whose token opened it, what it wants, where its changes go, and how far into
 * the log it has got.
 * <p>
 * Each is decided with the groups of its own connection's token ({@link #subject()}): two connections of one user can
 * hold tokens of different groups (one opened before, one after a change of groups), and each sees what its token
 * allows. A connection's token does not change while it is open (graphql-ws has no re-authentication; the connection
 * closes when its token expires), so neither does a subscription's subject.
 * <p>
 * A subscription starts at a position (the client's cursor, or where the feed was when it arrived) and first catches
 * up from the log to the position the feed has delivered; only then does it take entries from the feed. Its position
 * only moves forward and an entry at or before it is never handed on again, so the hand-over from catching up to the
 * feed can overlap by an entry but never repeat or skip one. Touched on the {@link LiveChanges} context only, except
 * {@link #consumed()}, which runs where the subscriber reads.
 */
final class LiveSubscription {

    private final Subject subject;
    private final LiveFilter filter;
    private final MultiEmitter<? super ChangeRecord> emitter;
    /** Handed on and not yet read by the subscriber. */
    private final AtomicInteger unread = new AtomicInteger();
    /** What to run once the subscriber has read enough of what it was handed (a paused catch-up), or null. */
    private final AtomicReference<Runnable> whenDrained = new AtomicReference<>();
    /** The last log position this subscription has passed; null until it has a starting point. */
    private Position position;
    private boolean live;

    LiveSubscription(Subject subject, LiveFilter filter, MultiEmitter<? super ChangeRecord> emitter) {
        this.subject = subject;
        this.filter = filter;
        this.emitter = emitter;
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

    boolean isEnded() {
        return emitter.isCancelled();
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
     * live, has not had it yet and wants it. True if it was handed on (to the subscription's buffer, then the
     * connection).
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
        return hand(visible);
    }

    /** An entry that is not from the log (a current state, the starting cursor): handed on if wanted. */
    boolean offerOutsideLog(ChangeRecord visible) {
        return hand(visible);
    }

    /** Tells the client where it starts: its first item, whatever the filter. */
    void announceStart(ChangeRecord marker) {
        if (!emitter.isCancelled()) {
            unread.incrementAndGet();
            emitter.emit(marker);
        }
    }

    private boolean hand(ChangeRecord visible) {
        if (filter.wants(visible) && !emitter.isCancelled()) {
            unread.incrementAndGet();
            emitter.emit(visible);
            return true;
        }
        return false;
    }

    /** How many handed-on changes the subscriber has not read yet. */
    int unread() {
        return unread.get();
    }

    /** The subscriber read one; runs a paused catch-up once at most {@code resumeAt} are left unread. */
    void consumed(int resumeAt) {
        if (unread.decrementAndGet() <= resumeAt) {
            Runnable resume = whenDrained.getAndSet(null);
            if (resume != null) {
                resume.run();
            }
        }
    }

    /**
     * Runs {@code resume} once at most {@code resumeAt} are left unread (at once if that is already so: the subscriber
     * may have read them while this was being set up).
     */
    void whenDrained(Runnable resume, int resumeAt) {
        whenDrained.set(resume);
        if (unread.get() <= resumeAt) {
            Runnable now = whenDrained.getAndSet(null);
            if (now != null) {
                now.run();
            }
        }
    }

    /** Ends it with an error (CURSOR_EXPIRED, ...). */
    void fail(ApiException error) {
        if (!emitter.isCancelled()) {
            emitter.fail(error);
        }
    }

    /**
     * Its user, with its token, may no longer see the one appliance it is on: it ends with ACCESS_REVOKED. True if it
     * ended here (not before).
     */
    boolean revoke() {
        UUID only = filter.applianceId();
        if (only != null && !emitter.isCancelled()) {
            emitter.fail(new ApiException(ErrorCode.ACCESS_REVOKED,
                    "Your access to this appliance has ended", Map.of("applianceId", only.toString())));
            return true;
        }
        return false;
    }
}
