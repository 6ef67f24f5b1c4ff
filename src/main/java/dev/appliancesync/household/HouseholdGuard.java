package dev.appliancesync.household;

import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Authorizer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** The gate of every change to a household: loads and locks it, then lets {@link AccessGate} decide and audit. */
@ApplicationScoped
public class HouseholdGuard {

    private final HouseholdRepository households;
    private final AccessGate gate;

    public HouseholdGuard(HouseholdRepository households, AccessGate gate) {
        this.households = households;
        this.gate = gate;
    }

    public Uni<HouseholdAccess> require(SqlConnection tx, Authorizer.Session session, UUID householdId,
            HouseholdAction action, Map<String, String> facts) {
        return requireLockedFirst(tx, session, householdId, action, () -> Uni.createFrom().item(facts));
    }

    /**
     * Like {@link #require}, for decisions on facts that concurrent changes to the household alter (a member's current
     * role): the facts are read only once the household row is locked, so every other change of the household, which
     * passes through here too, waits until this transaction has decided and acted. Read before the lock, a role
     * change committed in between would slip past the decision.
     */
    public Uni<HouseholdAccess> requireLockedFirst(SqlConnection tx, Authorizer.Session session, UUID householdId,
            HouseholdAction action, Supplier<Uni<Map<String, String>>> factsReadUnderLock) {
        return households.find(tx, session.subject().userId(), householdId, true).flatMap(found -> {
            if (found.isEmpty()) {
                return gate.missing(session, "household", householdId, action.name());
            }
            return factsReadUnderLock.get()
                    .flatMap(facts -> gate.require(tx, session, found.get().target(), action.name(), facts))
                    .replaceWith(found.get());
        });
    }
}
