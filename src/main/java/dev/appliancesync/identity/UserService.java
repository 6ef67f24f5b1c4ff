package dev.appliancesync.identity;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Keeps the users table in step with the identity provider, and finds users by verified email. */
@ApplicationScoped
public class UserService {

    /**
     * Creates the user on first sign-in and refreshes what the token says (username, email) when it changed, in one
     * statement so concurrent first calls of the same user cannot create two rows. An unchanged user costs a read,
     * not a write. It also says whether invitations wait for the user's verified email: checked on every sign-in, so
     * an invitation that raced with the first sign-in is picked up on the next request.
     */
    private static final String SIGN_IN = """
            with upserted as (
                insert into app_user (subject, username, email, email_verified)
                values ($1, $2, $3, $4)
                on conflict (subject) do update
                    set username = excluded.username, email = excluded.email,
                        email_verified = excluded.email_verified, last_seen_at = now()
                    where (app_user.username, app_user.email, app_user.email_verified)
                          is distinct from (excluded.username, excluded.email, excluded.email_verified)
                returning id, subject, username, email, email_verified),
            signed_in as (
                select * from upserted
                union all
                select id, subject, username, email, email_verified from app_user
                where subject = $1 and not exists (select 1 from upserted))
            select u.*, u.email_verified and exists (
                       select 1 from invitation i
                       where i.email = u.email and i.accepted_at is null and i.cancelled_at is null) as invited
            from signed_in u
            """;

    private final Transactions db;
    private final Instance<SignInListener> listeners;

    public UserService(Transactions db, Instance<SignInListener> listeners) {
        this.db = db;
        this.listeners = listeners;
    }

    public Uni<AppUser> signIn(SignedInPrincipal principal) {
        return signInOnce(principal).onFailure(UserService::lostFirstSignInRace).retry().atMost(2);
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

    private Uni<AppUser> signInOnce(SignedInPrincipal principal) {
        return db.inTransaction(tx -> tx.preparedQuery(SIGN_IN)
                .execute(Tuple.of(principal.subject(), principal.username(), principal.email(),
                        principal.emailVerified()))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().failure(new SignInRaceLost())
                        : Uni.createFrom().item(rows))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    AppUser user = AppUser.from(row, "");
                    if (!row.getBoolean("invited")) {
                        return Uni.createFrom().item(user);
                    }
                    return Multi.createFrom().iterable(listeners).onItem()
                            .transformToUniAndConcatenate(listener -> listener.onSignIn(tx, user))
                            .collect().last().replaceWith(user);
                }));
    }

    /** The account that owns this verified email, if any: the only way an email resolves to a person. */
    public Uni<Optional<AppUser>> findByVerifiedEmail(SqlClient client, String email) {
        return client.preparedQuery("select id, subject, username, email, email_verified from app_user "
                        + "where email = $1 and email_verified")
                .execute(Tuple.of(email))
                .map(rows -> first(rows));
    }

    private static Optional<AppUser> first(RowSet<Row> rows) {
        var iterator = rows.iterator();
        return iterator.hasNext() ? Optional.of(AppUser.from(iterator.next(), "")) : Optional.empty();
    }
}
