package dev.appliancesync.realtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Admits new subscriptions at a bounded rate and a bounded number at once, first come first served, so that a
 * reconnect storm (every app reconnecting after a deploy) does not take the database pool: what a subscription reads
 * before it goes live (its caller's sign-in, their access, its first items) runs only once admitted, and the rest of
 * the API keeps its share of the pool.
 * <p>
 * One user's subscriptions are admitted together, as one: those waiting when the first of them is admitted, and any
 * that arrive while it is being admitted. Their sign-ins and access reads then run at the same moment and are shared
 * ({@code identity.UserService}, {@link SharedViewLoads}), so a user reconnecting ten connections costs about what one
 * costs, instead of ten slots and ten reads spread over the storm.
 * <p>
 * What a client sees while it waits: its subscription is accepted as usual (graphql-ws and graphql-transport-ws have
 * no answer to a subscribe; AppSync's {@code start_ack} is sent) and its first item comes once it is admitted:
 * {@code SUBSCRIBED} for {@code changes}, the current state for {@code applianceState}. The stream starts at
 * admission; nothing needs retrying. A client that gives up meanwhile (complete, close) leaves the queue.
 */
@Startup // its meters are reported from the start
@ApplicationScoped
public class SubscriptionAdmission {

    /** The user whose subscription this thread is opening outside a request (see {@link #openingFor}), or null. */
    private static final ThreadLocal<String> OPENING_FOR = new ThreadLocal<>();

    private final Vertx vertx;
    private final CurrentIdentityAssociation identity;
    private final int maxConcurrent;
    private final double perSecond;
    private final int maxWaiting;
    private final Timer waited;
    /** Users (or anonymous single subscriptions) waiting, oldest first; guarded by this, as are the fields below. */
    private final SequencedSet<Group> queue = new LinkedHashSet<>();
    /** Each user's group while it waits or is being admitted. */
    private final Map<String, Group> byUser = new HashMap<>();
    private int waiting;
    /** Groups being admitted. */
    private int admitting;
    private double tokens;
    private long refilledAt;
    private boolean timerSet;

    public SubscriptionAdmission(AdmissionConfig config, Vertx vertx, CurrentIdentityAssociation identity,
            ServiceMetrics metrics) {
        if (config.maxConcurrent() < 1 || config.perSecond() < 1 || config.maxWaiting() < 1) {
            throw new IllegalArgumentException("appliance-sync.realtime.admission.max-concurrent, per-second and"
                    + " max-waiting must be at least 1");
        }
        this.vertx = vertx;
        this.identity = identity;
        this.maxConcurrent = config.maxConcurrent();
        this.perSecond = config.perSecond();
        this.maxWaiting = config.maxWaiting();
        this.tokens = perSecond;
        this.refilledAt = System.nanoTime();
        this.waited = metrics.realtimeAdmissionWait();
        metrics.realtimeAdmissionsWaiting(this, SubscriptionAdmission::waiting);
    }

    /**
     * An admission for a subscription of the current caller once there is room, handed on the caller's Vert.x context
     * (if it has one). Call it where the operation runs (its identity is read now). Release the admission when the
     * subscription is in place or has failed; cancelling the Uni while it waits leaves the queue.
     */
    public Uni<Admission> admit() {
        Applicant applicant = applicant();
        return Uni.createFrom().emitter(emitter -> {
            Waiting one = enqueue(applicant, emitter::complete, emitter::fail);
            emitter.onTermination(one::leave); // nothing once settled (handed or refused)
        });
    }

    /**
     * The current caller as the queue knows them: read where the operation runs, like {@link #admit()}, for
     * {@link #enqueue} later.
     */
    public Applicant applicant() {
        return new Applicant(userOfThisOperation(), Vertx.currentContext());
    }

    /**
     * What {@link #admit()} does, without a Uni: queues {@code applicant}, and hands {@code admitted} its admission
     * once there is room (on the applicant's context, if it had one), or tells {@code refused} at once why not
     * (RATE_LIMITED). Exactly one of the two is called, unless the caller leaves the queue first
     * ({@link Waiting#leave}). For streams that hold no operator chain while they live
     * ({@link LiveChanges#stream}).
     */
    public Waiting enqueue(Applicant applicant, Consumer<Admission> admitted, Consumer<Throwable> refused) {
        Waiting one = new Waiting(admitted, refused, applicant.context(), System.nanoTime());
        enqueue(applicant.user(), one);
        return one;
    }

    /**
     * Runs {@code open}, which opens a subscription of {@code signedIn} where no request context holds their identity:
     * the multiplexed path ({@code realtime.websocket.LiveSelections}) serves its subscriptions without one. Its
     * admission is then that user's, admitted with their other subscriptions as the engine's are; without it each
     * would be admitted on its own, a slot each, and a user's burst would cost ten turns of the queue instead of one.
     * A thread-local rather than a parameter: {@link #admit} is called deep inside the fields' streams, which the
     * engine's resolvers share.
     */
    public <T> T openingFor(SecurityIdentity signedIn, Supplier<T> open) {
        String previous = OPENING_FOR.get();
        OPENING_FOR.set(signedIn == null || signedIn.isAnonymous() ? null : signedIn.getPrincipal().getName());
        try {
            return open.get();
        } finally {
            if (previous == null) {
                OPENING_FOR.remove();
            } else {
                OPENING_FOR.set(previous);
            }
        }
    }

    /** Subscriptions waiting for admission now. */
    public synchronized int waiting() {
        return waiting;
    }

    /**
     * Whose subscription this is, to admit it with the user's others; null if that cannot be told here (then it is
     * admitted on its own, which costs a slot, never access: the caller is resolved and checked once admitted).
     */
    private String userOfThisOperation() {
        String opening = OPENING_FOR.get();
        if (opening != null) {
            return opening;
        }
        try {
            SecurityIdentity current = identity.getIdentity();
            return current == null || current.isAnonymous() ? null : current.getPrincipal().getName();
        } catch (ContextNotActiveException outsideTheOperation) {
            return null;
        }
    }

    private void enqueue(String user, Waiting one) {
        Group joined = null;
        int refusedBehind = -1;
        synchronized (this) {
            Group group = user == null ? null : byUser.get(user);
            if (group != null && group.admitted) {
                group.holders++; // the user's others are being admitted now: along with them, waiting for nothing
                one.group = group;
                joined = group;
            } else if (waiting >= maxWaiting) {
                refusedBehind = waiting;
            } else {
                if (group == null) {
                    group = new Group(user);
                    queue.addLast(group);
                    if (user != null) {
                        byUser.put(user, group);
                    }
                }
                one.group = group;
                group.waiting.add(one);
                waiting++;
            }
        }
        if (refusedBehind >= 0) {
            one.settled.set(true);
            one.refused.accept(overLimit(refusedBehind));
        } else if (joined != null) {
            hand(one, new Admission(joined));
        } else {
            admitWhatFits();
        }
    }

    /**
     * RATE_LIMITED, as a client over the request rate gets it: a storm's latecomer retries when the queue ahead of it
     * has been admitted, rather than waiting unseen. graphql-ws and Amplify end the subscription on it, so the app's
     * own retry (with the delay given) brings it back.
     */
    private ApiException overLimit(long ahead) {
        long retryAfter = Math.max(1, (long) Math.ceil(ahead / perSecond));
        return new ApiException(ErrorCode.RATE_LIMITED, "Too many subscriptions waiting to start on this instance ("
                + maxWaiting + "): try again in " + retryAfter + " s", Map.of("limit", "subscription-admission",
                        "maxWaiting", maxWaiting, "retryAfter", retryAfter, "retryAfterSeconds", retryAfter));
    }

    private synchronized void withdraw(Waiting one) {
        Group group = one.group;
        if (group != null && !group.admitted && group.waiting.remove(one)) {
            waiting--;
            if (group.waiting.isEmpty()) {
                queue.remove(group);
                byUser.remove(group.user, group);
            }
        }
    }

    private void admitWhatFits() {
        List<Waiting> admitted = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            while (!queue.isEmpty() && admitting < maxConcurrent && tokens >= 1) {
                Group group = queue.removeFirst();
                group.admitted = true;
                group.holders = group.waiting.size();
                waiting -= group.waiting.size();
                admitting++;
                tokens -= 1;
                admitted.addAll(group.waiting);
                // Its admissions outlive it (each subscription holds its own until it ends): the group must not keep
                // what waited, and all that held (a subscriber, its stream), for as long.
                group.waiting.clear();
            }
            if (!queue.isEmpty() && admitting < maxConcurrent && !timerSet) {
                // Out of tokens: look again when the next one is due. Releases look again by themselves.
                timerSet = true;
                long dueMillis = Math.max(1, (long) Math.ceil((1 - tokens) * 1000 / perSecond));
                vertx.setTimer(dueMillis, fired -> {
                    synchronized (this) {
                        timerSet = false;
                    }
                    admitWhatFits();
                });
            }
        }
        long now = System.nanoTime();
        for (Waiting one : admitted) {
            waited.record(Duration.ofNanos(now - one.since));
            hand(one, new Admission(one.group));
        }
    }

    private static void hand(Waiting one, Admission admission) {
        Runnable hand = () -> {
            if (one.settled.compareAndSet(false, true)) {
                one.admitted.accept(admission);
            } else {
                admission.release(); // gave up as it was admitted
            }
        };
        if (one.context == null) {
            hand.run();
        } else {
            one.context.runOnContext(ignored -> hand.run());
        }
    }

    private void released(Group group) {
        synchronized (this) {
            if (--group.holders > 0) {
                return;
            }
            byUser.remove(group.user, group);
            admitting--;
        }
        admitWhatFits();
    }

    /** Whose subscription asks to be admitted, and the Vert.x context its admission is handed on (null: in place). */
    public record Applicant(String user, Context context) {
    }

    /** One subscription waiting. */
    public final class Waiting {
        private final Consumer<Admission> admitted;
        private final Consumer<Throwable> refused;
        private final Context context;
        private final long since;
        private final AtomicBoolean settled = new AtomicBoolean();
        private Group group;

        private Waiting(Consumer<Admission> admitted, Consumer<Throwable> refused, Context context, long since) {
            this.admitted = admitted;
            this.refused = refused;
            this.context = context;
            this.since = since;
        }

        /** Gives up before its turn; nothing once it was handed or refused (if it is being handed, hand releases). */
        public void leave() {
            if (settled.compareAndSet(false, true)) {
                withdraw(this);
            }
        }
    }

    /** One user's subscriptions, admitted as one; guarded by the admission's lock. */
    private static final class Group {
        final String user;
        final List<Waiting> waiting = new ArrayList<>();
        boolean admitted;
        /** Admissions of this group not released yet. */
        int holders;

        Group(String user) {
            this.user = user;
        }
    }

    /** A subscription's part in its group's admission; released once, whoever releases it first. */
    public final class Admission {
        private final Group group;
        private final AtomicBoolean released = new AtomicBoolean();

        private Admission(Group group) {
            this.group = group;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                released(group);
            }
        }
    }
}
