package dev.appliancesync.realtime;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Subject;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.household.HouseholdAccess;
import dev.appliancesync.household.HouseholdRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/** Loads a user's {@link AccessView} with the same queries the `appliances` and `households` queries use. */
@ApplicationScoped
public class AccessViews {

    private final Transactions db;
    private final ApplianceRepository appliances;
    private final HouseholdRepository households;

    public AccessViews(Transactions db, ApplianceRepository appliances, HouseholdRepository households) {
        this.db = db;
        this.appliances = appliances;
        this.households = households;
    }

    public Uni<AccessView> load(Subject subject) {
        UUID userId = subject.userId();
        return Uni.combine().all().unis(
                        appliances.reachableBy(db.reads(), userId),
                        households.of(db.reads(), userId),
                        db.reads().preparedQuery("select min(expires_at) as next from share where recipient_id = $1 "
                                + "and revoked_at is null and expires_at > now()").execute(Tuple.of(userId)))
                .asTuple()
                .map(loaded -> {
                    Map<UUID, ApplianceAccess> byAppliance = new LinkedHashMap<>();
                    loaded.getItem1().forEach(access -> byAppliance.put(access.appliance().id(), access));
                    Map<UUID, HouseholdAccess> byHousehold = new LinkedHashMap<>();
                    loaded.getItem2().forEach(access -> byHousehold.put(access.household().id(), access));
                    OffsetDateTime next = loaded.getItem3().iterator().next().getOffsetDateTime("next");
                    Instant staleAt = next == null ? null : next.toInstant();
                    return new AccessView(subject, byAppliance, byHousehold, staleAt);
                });
    }
}
