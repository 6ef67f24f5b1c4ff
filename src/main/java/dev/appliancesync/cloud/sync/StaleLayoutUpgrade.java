package dev.appliancesync.cloud.sync;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.appliancesync.common.db.Transactions;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Recompiles, once, the desired cloud access of users compiled for the layout before issue 15 (apps subscribed to
 * whole {@code $aws/things/T/...} and {@code appliances/T/...} namespaces, published shadow updates and commands; tags
 * {@code iot_access=control}, {@code iot_commands}). Left alone, their stored documents would keep granting what the
 * new layout takes away until their grants next change, and the new role policy would refuse them everything.
 *
 * <p>Such users are recognised by the {@code iot_commands} tag, which every old compile wrote and no new one does, so
 * a recompiled user no longer matches and later startups find nobody. Each user is refreshed in a transaction of its
 * own through {@link CloudAccessOutbox#refresh} (its per-user lock makes instances starting together harmless); one
 * whose new access would not fit the quotas is logged and left for their next access change. The reconciler then
 * applies the new generation as for any access change.
 */
@ApplicationScoped
public class StaleLayoutUpgrade {

    private static final Logger LOG = Logger.getLogger(StaleLayoutUpgrade.class);
    static final String STALE = "select user_id from cloud_sync_state where desired_tags ? 'iot_commands'";

    private final Transactions db;
    private final CloudAccessOutbox outbox;

    public StaleLayoutUpgrade(Transactions db, CloudAccessOutbox outbox) {
        this.db = db;
        this.outbox = outbox;
    }

    void onStart(@Observes StartupEvent started) {
        run().subscribe().with(upgraded -> {
            if (upgraded > 0) {
                LOG.infof("Recompiled the cloud access of %d users for the view topic layout", upgraded);
            }
        }, failure -> LOG.error("Recompiling cloud access for the view topic layout failed; it is retried at the "
                + "next start", failure));
    }

    /** Recompiles every stale user; the number recompiled. Visible for tests. */
    public Uni<Integer> run() {
        return db.reads().preparedQuery(STALE).execute()
                .map(rows -> {
                    List<UUID> users = new java.util.ArrayList<>();
                    rows.forEach(row -> users.add(row.getUUID("user_id")));
                    return users;
                })
                .onItem().transformToMulti(users -> Multi.createFrom().iterable(users))
                .onItem().transformToUniAndConcatenate(this::upgrade)
                .collect().asList()
                .map(results -> (int) results.stream().filter(Boolean::booleanValue).count());
    }

    private Uni<Boolean> upgrade(UUID userId) {
        return db.inTransaction(tx -> outbox.refresh(tx, Set.of(userId))).replaceWith(true)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf(failure, "Cloud access of user %s stays on the old layout until their next access change",
                            userId);
                    return false;
                });
    }
}
