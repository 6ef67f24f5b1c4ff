package dev.appliancesync.sharing;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.SignInListener;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** A person invited by email gets their shares when they sign in with that email verified. */
@ApplicationScoped
public class InvitationAcceptor implements SignInListener {

    private final ShareService shares;

    public InvitationAcceptor(ShareService shares) {
        this.shares = shares;
    }

    @Override
    public Uni<Void> onSignIn(SqlConnection tx, AppUser user) {
        return shares.acceptInvitations(tx, user);
    }
}
