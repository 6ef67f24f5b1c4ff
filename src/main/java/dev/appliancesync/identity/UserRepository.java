package dev.appliancesync.identity;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** The people who have signed in (app_user), as the identity provider last described them. */
@ApplicationScoped
public class UserRepository {

    /**
     * Whether open appliance invitations wait for user {@code u}'s verified email, which a sign-in accepts (both
     * statements below ask it). Household invitations do not count: they wait for the invitee's acceptInvitation, not
     * for a sign-in, and a user with one pending would otherwise take the sign-in transaction on every request.
     */
    private static final String INVITED = """
            u.email_verified and exists (
                select 1 from invitation i
                where i.email = u.email and i.appliance_id is not null
                  and i.accepted_at is null and i.cancelled_at is null) as invited""";

    /**
     * Creates the user on first sign-in and refreshes what the token says (username, email) when it changed, in one
     * statement so concurrent first calls of the same user cannot create two rows. An unchanged user costs a read,
     * not a write. It also says whether invitations wait for the user's verified email.
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
            select u.*, %s
            from signed_in u
            """.formatted(INVITED);

    /** The user's row as it is, and whether invitations wait ({@link #INVITED}): a read, no lock. */
    private static final String FIND = """
            select u.id, u.subject, u.username, u.email, u.email_verified, %s
            from app_user u where u.subject = $1
            """.formatted(INVITED);

    /** A signed-in user, and whether open appliance invitations wait for their verified email. */
    public record SignedIn(AppUser user, boolean invited) {
    }

    /**
     * The user's row, created or refreshed from {@code principal}; empty when the statement's snapshot cannot see a
     * row that a concurrent first sign-in of the same user committed meanwhile.
     */
    public Uni<Optional<SignedIn>> signIn(SqlClient tx, SignedInPrincipal principal) {
        return tx.preparedQuery(SIGN_IN)
                .execute(Tuple.of(principal.subject(), principal.username(), principal.email(),
                        principal.emailVerified()))
                .map(rows -> {
                    var iterator = rows.iterator();
                    if (!iterator.hasNext()) {
                        return Optional.<SignedIn> empty();
                    }
                    Row row = iterator.next();
                    return Optional.of(new SignedIn(AppUser.from(row, ""), row.getBoolean("invited")));
                });
    }

    /**
     * The row of {@code principal}'s subject as it is (empty before their first sign-in), with whether invitations
     * wait; writes nothing and takes no lock, so it needs no transaction.
     */
    public Uni<Optional<SignedIn>> find(SqlClient client, SignedInPrincipal principal) {
        return client.preparedQuery(FIND).execute(Tuple.of(principal.subject())).map(rows -> {
            var iterator = rows.iterator();
            if (!iterator.hasNext()) {
                return Optional.<SignedIn> empty();
            }
            Row row = iterator.next();
            return Optional.of(new SignedIn(AppUser.from(row, ""), row.getBoolean("invited")));
        });
    }

    /** The account that owns this verified email, if any: the only way an email resolves to a person. */
    public Uni<Optional<AppUser>> findByVerifiedEmail(SqlClient client, String email) {
        return client.preparedQuery("select id, subject, username, email, email_verified from app_user "
                        + "where email = $1 and email_verified")
                .execute(Tuple.of(email))
                .map(UserRepository::first);
    }

    private static Optional<AppUser> first(RowSet<Row> rows) {
        var iterator = rows.iterator();
        return iterator.hasNext() ? Optional.of(AppUser.from(iterator.next(), "")) : Optional.empty();
    }
}
