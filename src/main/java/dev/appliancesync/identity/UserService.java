package dev.appliancesync.identity;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/** Keeps the users table in step with the identity provider. */
@ApplicationScoped
public class UserService {

    /**
     * Creates the user on first sign-in and refreshes what the token says (username, email) when it changed,
     * in one statement so concurrent first calls of the same user cannot create two rows. An unchanged user costs a
     * read, not a write.
     */
    private static final String SIGN_IN = """
            with upserted as (
                insert into app_user (subject, username, email, email_verified)
                values (:subject, :username, :email, :verified)
                on conflict (subject) do update
                    set username = excluded.username, email = excluded.email,
                        email_verified = excluded.email_verified, last_seen_at = now()
                    where (app_user.username, app_user.email, app_user.email_verified)
                          is distinct from (excluded.username, excluded.email, excluded.email_verified)
                returning *)
            select * from upserted
            union all
            select * from app_user where subject = :subject and not exists (select 1 from upserted)
            """;

    @WithTransaction
    public Uni<AppUser> signIn(SignedInPrincipal principal) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery(SIGN_IN, AppUser.class)
                .setParameter("subject", principal.subject())
                .setParameter("username", principal.username())
                .setParameter("email", principal.email())
                .setParameter("verified", principal.emailVerified())
                .getSingleResult());
    }
}
