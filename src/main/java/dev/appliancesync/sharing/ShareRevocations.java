package dev.appliancesync.sharing;

import static dev.appliancesync.change.ChangeType.SHARE_REVOKED;
import static dev.appliancesync.sharing.SharingChanges.shareChanges;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.ChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Ending one share (revoked, left, member removed), for shares of appliances and household memberships alike. */
@ApplicationScoped
class ShareRevocations {

    private final ShareRepository shares;
    private final ChangeLog changes;

    ShareRevocations(ShareRepository shares, ChangeLog changes) {
        this.shares = shares;
        this.changes = changes;
    }

    /** Ends a share; who learns of it: its recipient, the owner of what was shared, whoever ended it. */
    Uni<ShareRecord> end(SqlConnection tx, ShareRecord share, UUID ownerId, UUID actor, String reason) {
        return shares.revoke(tx, share.id(), actor, reason)
                .flatMap(done -> shares.find(tx, share.id()))
                .flatMap(revoked -> changes.append(tx, shareChanges(SHARE_REVOKED, revoked.orElseThrow(), ownerId, actor))
                        .replaceWith(revoked.orElseThrow()));
    }
}
