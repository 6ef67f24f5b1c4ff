package dev.appliancesync.sharing;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.SignInListener;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** A person invited by email gets their shares when they sign in with that email verified. */
@ApplicationScoped
public class InvitationAcceptor implements SignInListener {

    private final InvitationService invitations;

    public InvitationAcceptor(InvitationService invitations) {
        this.invitations = invitations;
    }

    @Override
    public Uni<Void> onSignIn(SqlConnection tx, AppUser user) {
        return invitations.acceptInvitations(tx, user);
    }
}
