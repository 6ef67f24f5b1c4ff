package dev.appliancesync.identity;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Signs users in: their row kept in step with the identity provider, and the invitations that wait for them. */
@ApplicationScoped
public class UserService {

    private final Transactions db;
    private final UserRepository users;
    private final Instance<SignInListener> listeners;
    private final Counter signIns;
    /** Sign-ins running now, by the token facts they were asked with; removed when they end. */
    private final Map<SignedInPrincipal, Uni<AppUser>> running = new ConcurrentHashMap<>();
    /** Sign-ins that ended lately, answering the same token facts a little longer (see {@link #signIn}). */
    private final RecentSignIns recent;

    public UserService(Transactions db, UserRepository users, Instance<SignInListener> listeners,
            ServiceMetrics metrics, IdentityConfig config) {
        this.db = db;
        this.users = users;
        this.listeners = listeners;
        this.signIns = metrics.identitySignIns();
        this.recent = new RecentSignIns(config.reuseSignInFor(), config.maxReusedSignIns(), System::nanoTime);
    }

    /**
     * The caller's row, created or brought in step with their token. Callers with the same token facts share one
     * sign-in: those that ask while it runs, and those that ask within {@code appliance-sync.identity.reuse-sign-in-for}
     * (2 s) after it ended. An app reconnecting after a deploy opens its connections and subscriptions at once, each
     * resolving its caller, and one sign-in answers them all instead of one each (a storm of them took the whole
     * database pool).
     * <p>
     * Why a window after the end, and not only sharing the one in flight: an unchanged user's sign-in is one quick
     * read now, and it ends before the rest of a burst has arrived (the subscriptions admitted together reach here one
     * after the other, on their own event loops), so sharing only a running one cost a burst two sign-ins or more.
     * Reusing the connection's user instead (signed in at connection_init) would cover subscriptions only, would
     * sign in each connection whether or not it ever subscribes, outside admission, and would keep a user's row as it
     * was for the connection's life. The window costs little: it answers only the very facts it was asked with, so a
     * token saying something new is signed in and written on its first request, as before; what it can delay is
     * noticing an invitation that raced with the user's first sign-in, by at most the window.
     */
    public Uni<AppUser> signIn(SignedInPrincipal principal) {
        return Uni.createFrom().deferred(() -> {
            AppUser[] kept = new AppUser[1];
            // Looked up inside computeIfAbsent: a sign-in is remembered before it leaves `running`, so a caller
            // arriving as it ends finds one or the other, never neither.
            Uni<AppUser> shared = running.computeIfAbsent(principal, asked -> {
                kept[0] = recent.find(asked);
                return kept[0] == null ? sharedSignIn(asked) : null;
            });
            if (shared == null) {
                return Uni.createFrom().item(kept[0]);
            }
            Context caller = Vertx.currentContext();
            // A shared sign-in ends on the context of whoever started it: each caller goes on on its own.
            return caller == null ? shared : shared.emitOn(task -> caller.runOnContext(ignored -> task.run()));
        });
    }

    /**
     * Forgets the sign-ins kept for the window, as a freshly started instance has none: for tests that need the next
     * request to sign in.
     */
    public void forgetRecentSignIns() {
        recent.clear();
    }

    private Uni<AppUser> sharedSignIn(SignedInPrincipal principal) {
        AtomicReference<Uni<AppUser>> self = new AtomicReference<>();
        Uni<AppUser> shared = Uni.createFrom().deferred(() -> {
                    signIns.increment();
                    return signInOnce(principal).onFailure(UserService::lostFirstSignInRace).retry().atMost(2);
                })
                .onItem().invoke(user -> recent.remember(principal, user))
                .onTermination().invoke(() -> running.remove(principal, self.get()))
                .memoize().indefinitely();
        self.set(shared);
        return shared;
    }

    /**
     * A first sign-in racing another of the same user (apps send several requests at once at start-up) loses in one
     * of two ways: its insert meets the other's row in the verified-email index before the subject one, a unique
     * violation ON CONFLICT (subject) does not cover (CONFLICT); or it waits for the other's row, finds nothing to
     * change, and cannot see the row from a snapshot taken before that commit (no row). Either way the row is there
     * now, and the next attempt finds it. Another account holding the email fails every attempt, as it should.
     */
    private static boolean lostFirstSignInRace(Throwable failure) {
        return failure instanceof ApiException api && api.code() == ErrorCode.CONFLICT
                || failure instanceof SignInRaceLost;
    }

    /** The sign-in statement found no row: a concurrent first sign-in made it after this statement's snapshot. */
    private static final class SignInRaceLost extends RuntimeException {
        SignInRaceLost() {
            super("The user's row was created by a concurrent first sign-in", null, false, false);
        }
    }

    /**
     * Most requests come from a user whose row already says what their token says: one read answers them, with no
     * transaction. The upsert would change nothing for them, yet it locks their row (ON CONFLICT DO UPDATE locks the
     * row it meets before its WHERE decides), which costs a write, a transaction of three round trips and a second
     * pooled connection per request, and queues the same user's concurrent requests behind each other. A first
     * sign-in, a token whose facts differ from the row, and waiting invitations take the transaction below, as before.
     */
    private Uni<AppUser> signInOnce(SignedInPrincipal principal) {
        return users.find(db.reads(), principal).flatMap(found -> found.isPresent() && !found.get().invited()
                && UserService.matches(found.get().user(), principal)
                ? Uni.createFrom().item(found.get().user())
                : signInTransaction(principal));
    }

    /** Whether the row already holds what the token says (the facts the sign-in upsert would write). */
    static boolean matches(AppUser user, SignedInPrincipal principal) {
        return Objects.equals(user.username(), principal.username())
                && Objects.equals(user.email(), principal.email())
                && user.emailVerified() == principal.emailVerified();
    }

    /**
     * Whether invitations wait for the user's verified email is checked on every sign-in, so an invitation that raced
     * with the first sign-in is picked up on the next one (the user's first request after the window).
     */
    private Uni<AppUser> signInTransaction(SignedInPrincipal principal) {
        return db.inTransaction(tx -> users.signIn(tx, principal)
                .flatMap(found -> found.isEmpty() ? Uni.createFrom().failure(new SignInRaceLost())
                        : Uni.createFrom().item(found.get()))
                .flatMap(signedIn -> {
                    AppUser user = signedIn.user();
                    if (!signedIn.invited()) {
                        return Uni.createFrom().item(user);
                    }
                    return Multi.createFrom().iterable(listeners).onItem()
                            .transformToUniAndConcatenate(listener -> listener.onSignIn(tx, user))
                            .collect().last().replaceWith(user);
                }));
    }
}
