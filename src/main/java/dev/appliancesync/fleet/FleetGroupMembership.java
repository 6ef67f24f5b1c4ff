package dev.appliancesync.fleet;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeObserver;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Keeps every group's members in step with the live state, in the transaction that changed it: it hangs off the change
 * log, where every stored shadow (DEVICE_STATE) and presence change (DEVICE_PRESENCE) is announced, and evaluates each
 * group's query for those appliances only. An appliance that starts or stops matching is recorded in
 * fleet_group_event, which commits with the shadow, so fleetGroupChanged on any instance sees it once it is settled.
 * <p>
 * The groups are read once per transaction, just before its commit, for every appliance it changed: a device batch
 * appends its shadows and its presence changes separately, and reading the groups after each append cost a statement
 * more per batch, on the serial ingestion path, even when there are no groups.
 */
@ApplicationScoped
public class FleetGroupMembership implements ChangeObserver {

    private static final Logger LOG = Logger.getLogger(FleetGroupMembership.class);
    private static final Set<ChangeType> LIVE_STATE = Set.of(ChangeType.DEVICE_STATE, ChangeType.DEVICE_PRESENCE);

    private final Transactions db;
    private final FleetGroupRepository groups;

    public FleetGroupMembership(Transactions db, FleetGroupRepository groups) {
        this.db = db;
        this.groups = groups;
    }

    @Override
    public Uni<Void> appended(SqlConnection tx, List<Change> changes) {
        Set<UUID> appliances = new TreeSet<>();
        for (Change change : changes) {
            if (LIVE_STATE.contains(change.type()) && change.applianceId() != null) {
                appliances.add(change.applianceId());
            }
        }
        if (appliances.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return db.beforeCommit(tx, Pending.class, () -> new Pending(this))
                .map(pending -> {
                    pending.add(appliances);
                    return Uni.createFrom().voidItem();
                })
                .orElseGet(() -> reconcileAll(tx, appliances));
    }

    private Uni<Void> reconcileAll(SqlConnection tx, Set<UUID> appliances) {
        // One statement per group, in turn: a transaction's statements run one at a time on its connection anyway.
        return groups.all(tx).flatMap(all -> Multi.createFrom().iterable(all)
                .onItem().transformToUniAndConcatenate(group -> reconcile(tx, group, appliances))
                .collect().last().replaceWithVoid());
    }

    /**
     * A saved query that no longer compiles (the configured bounds were lowered since) leaves its group as it is: it
     * must not fail the shadow update it rides on.
     */
    private Uni<Integer> reconcile(SqlConnection tx, FleetGroup group, Set<UUID> appliances) {
        return Uni.createFrom().deferred(() -> groups.reconcile(tx, group, appliances, true))
                .onFailure(ApiException.class).recoverWithItem(failure -> {
                    LOG.warnf("Fleet group %s is not kept up to date: its query no longer compiles (%s)", group.id(),
                            failure.getMessage());
                    return 0;
                });
    }

    /** The appliances whose live state one transaction changed, reconciled with every group before it commits. */
    static final class Pending implements Transactions.BeforeCommit {
        private final FleetGroupMembership membership;
        private final Set<UUID> appliances = new TreeSet<>();

        Pending(FleetGroupMembership membership) {
            this.membership = membership;
        }

        synchronized void add(Set<UUID> changed) {
            appliances.addAll(changed);
        }

        @Override
        public Uni<Void> run(SqlConnection tx) {
            Set<UUID> changed;
            synchronized (this) {
                changed = new TreeSet<>(appliances);
            }
            return membership.reconcileAll(tx, changed);
        }
    }
}
