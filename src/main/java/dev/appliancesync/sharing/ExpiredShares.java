package dev.appliancesync.sharing;

import static dev.appliancesync.change.ChangeType.SHARE_EXPIRED;
import static dev.appliancesync.sharing.SharingChanges.shareChanges;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import io.smallrye.mutiny.Uni;

/** Announces shares that have reached their expiry time ({@link ShareExpiryAnnouncer} runs it on a timer). */
@ApplicationScoped
public class ExpiredShares {

    private final Transactions db;
    private final ShareRepository shares;
    private final ChangeLog changes;

    public ExpiredShares(Transactions db, ShareRepository shares, ChangeLog changes) {
        this.db = db;
        this.shares = shares;
        this.changes = changes;
    }

    /**
     * Announces shares that have reached their expiry time (SHARE_EXPIRED, to the recipient and the owner), at most
     * {@code limit} at a time; returns how many. The share already grants nothing from that instant (every query
     * checks the time); this is how open subscriptions and other people learn it. Instances racing here skip each
     * other's rows.
     */
    public Uni<Integer> announce(int limit) {
        return db.inTransaction(tx -> shares.markExpiryAnnounced(tx, limit).flatMap(expired -> {
            if (expired.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            List<Uni<List<Change>>> announcements = new ArrayList<>();
            for (ShareRepository.ExpiredShare share : expired) {
                announcements.add(shares.find(tx, share.shareId())
                        .map(found -> shareChanges(SHARE_EXPIRED, found.orElseThrow(), share.ownerId(), null)));
            }
            return Uni.join().all(announcements).andFailFast()
                    .flatMap(lists -> changes.append(tx, lists.stream().flatMap(List::stream).toList()))
                    .replaceWith(expired.size());
        }));
    }
}
