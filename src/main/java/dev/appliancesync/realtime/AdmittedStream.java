package dev.appliancesync.realtime;

import java.util.concurrent.Flow;
import java.util.function.Function;

import dev.appliancesync.access.Subject;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.Subscriptions;
import io.smallrye.mutiny.operators.AbstractMulti;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;

/**
 * A subscription's stream from its request to its live items: admitted ({@link SubscriptionAdmission}), then its
 * caller signed in ({@code subject}), then opened ({@link Opener}, a {@link LiveSubscription}), every failure that is
 * an {@code ApiException} turned into the error the subscription ends with ({@code ending}). This is what
 * {@code admit().onItem().transformToMulti(subject...transformToMulti(open)).onFailure().transform(ending)} did, by
 * hand: that chain kept its operators, their subscribers and a context-propagation capture for each callback
 * (10 per subscription, about 5 KiB) for as long as the subscription lived, and an instance holds tens of thousands
 * of idle ones. What one holds once live is an {@link Opening}: its subscriber and its live subscription.
 */
final class AdmittedStream<T> extends AbstractMulti<T> {

    /** Opens the live subscription of {@code subject} for {@code subscriber}, which it must subscribe. */
    @FunctionalInterface
    interface Opener<T> {
        void open(Subject subject, SubscriptionAdmission.Admission admitted, MultiSubscriber<? super T> subscriber);
    }

    private final SubscriptionAdmission admission;
    private final SubscriptionAdmission.Applicant applicant;
    private final Uni<Subject> subject;
    private final Opener<T> opener;
    private final Function<Throwable, Throwable> ending;

    /** Call it where the operation runs: its caller and context are read now (see {@link SubscriptionAdmission}). */
    AdmittedStream(SubscriptionAdmission admission, Uni<Subject> subject, Opener<T> opener,
            Function<Throwable, Throwable> ending) {
        this.admission = admission;
        this.applicant = admission.applicant();
        this.subject = subject;
        this.opener = opener;
        this.ending = ending;
    }

    @Override
    public void subscribe(MultiSubscriber<? super T> downstream) {
        Opening<T> opening = new Opening<>(downstream, ending);
        downstream.onSubscribe(opening);
        opening.waitFor(admission.enqueue(applicant, admitted -> opening.admitted(admitted, subject, opener),
                opening::refused));
    }

    /**
     * One subscriber's way through: its {@link Flow.Subscription} (requests wait here until the live subscription
     * exists, a cancel ends whichever step it is in) and the live subscription's subscriber (passing its signals on).
     * Each step's handle is dropped once the step is done, so nothing of it stays reachable.
     */
    private static final class Opening<T> implements Flow.Subscription, MultiSubscriber<T> {

        private final MultiSubscriber<? super T> downstream;
        private final Function<Throwable, Throwable> ending;
        // Guarded by this.
        /** Its place in the admission queue, until admitted. */
        private SubscriptionAdmission.Waiting waiting;
        /** Its admission, while its caller signs in. */
        private SubscriptionAdmission.Admission admission;
        /** The sign-in, while it runs. */
        private UniSubscription signingIn;
        /** The live subscription, once opened. */
        private Flow.Subscription live;
        /** Admitted or refused: no longer in the queue. */
        private boolean pastQueue;
        /** Asked for before it was live. */
        private long requested;
        private boolean cancelled;

        Opening(MultiSubscriber<? super T> downstream, Function<Throwable, Throwable> ending) {
            this.downstream = downstream;
            this.ending = ending;
        }

        void waitFor(SubscriptionAdmission.Waiting place) {
            boolean leave;
            synchronized (this) {
                leave = cancelled;
                if (!leave && !pastQueue) {
                    waiting = place; // not admitted (nor refused) in the meantime
                }
            }
            if (leave) {
                place.leave();
            }
        }

        void refused(Throwable failure) {
            synchronized (this) {
                pastQueue = true;
                waiting = null;
            }
            onFailure(failure);
        }

        void admitted(SubscriptionAdmission.Admission admitted, Uni<Subject> subject, Opener<T> opener) {
            boolean keep;
            synchronized (this) {
                pastQueue = true;
                waiting = null;
                keep = !cancelled;
                if (keep) {
                    admission = admitted;
                }
            }
            if (!keep) {
                admitted.release(); // cancelled as it was admitted
                return;
            }
            subject.subscribe().withSubscriber(new UniSubscriber<Subject>() {
                @Override
                public void onSubscribe(UniSubscription subscription) {
                    boolean cancel;
                    synchronized (Opening.this) {
                        cancel = cancelled;
                        signingIn = subscription;
                    }
                    if (cancel) {
                        subscription.cancel();
                    }
                }

                @Override
                public void onItem(Subject signedIn) {
                    SubscriptionAdmission.Admission held = stepDone();
                    if (held != null) {
                        opener.open(signedIn, held, Opening.this);
                    }
                }

                @Override
                public void onFailure(Throwable failure) {
                    SubscriptionAdmission.Admission held = stepDone();
                    if (held != null) {
                        held.release();
                        Opening.this.onFailure(failure);
                    }
                }
            });
        }

        /** The sign-in is over: its admission, or null if cancelled meanwhile (cancel released it). */
        private synchronized SubscriptionAdmission.Admission stepDone() {
            SubscriptionAdmission.Admission held = admission;
            admission = null;
            signingIn = null;
            return held;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            long asked;
            boolean cancel;
            synchronized (this) {
                live = subscription;
                asked = requested;
                requested = 0;
                cancel = cancelled;
            }
            if (cancel) {
                subscription.cancel();
            } else if (asked > 0) {
                subscription.request(asked);
            }
        }

        @Override
        public void request(long n) {
            Flow.Subscription current;
            synchronized (this) {
                current = live;
                if (current == null && n > 0) {
                    requested = Subscriptions.add(requested, n);
                    return;
                }
            }
            if (current != null) {
                current.request(n); // a bad n too: the live subscription ends with the protocol's error
            } else {
                cancel();
                downstream.onFailure(Subscriptions.getInvalidRequestException());
            }
        }

        @Override
        public void cancel() {
            SubscriptionAdmission.Waiting place;
            SubscriptionAdmission.Admission held;
            UniSubscription signIn;
            Flow.Subscription current;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                place = waiting;
                held = admission;
                signIn = signingIn;
                current = live;
                waiting = null;
                admission = null;
                signingIn = null;
            }
            if (place != null) {
                place.leave();
            }
            if (signIn != null) {
                signIn.cancel();
            }
            if (held != null) {
                held.release(); // signing in (or about to): the live subscription, which would release it, never comes
            }
            if (current != null) {
                current.cancel();
            }
        }

        @Override
        public void onItem(T item) {
            downstream.onItem(item);
        }

        @Override
        public void onFailure(Throwable failure) {
            downstream.onFailure(ending.apply(failure));
        }

        @Override
        public void onCompletion() {
            downstream.onCompletion();
        }
    }
}
