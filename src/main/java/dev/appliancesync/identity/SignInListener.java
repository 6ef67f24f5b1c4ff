package dev.appliancesync.identity;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Work that must happen when a user with a verified email has something waiting for that email (pending invitations),
 * in the sign-in transaction. Identity knows only this interface; the sharing feature implements it.
 */
public interface SignInListener {

    Uni<Void> onSignIn(SqlConnection tx, AppUser user);
}
