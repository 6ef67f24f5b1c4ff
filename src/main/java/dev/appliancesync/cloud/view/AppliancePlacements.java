package dev.appliancesync.cloud.view;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Thing names and household prefixes of appliances as they are now, when their changes are published: a change
 * reaches the household topic of the household the appliance is in at that moment (membership, unlike a thing name,
 * changes). An appliance removed meanwhile has no placement, and its changes are not published.
 */
@ApplicationScoped
public class AppliancePlacements {

    private static final String PLACEMENTS = """
            select a.id, a.thing_name, h.thing_prefix from appliance a left join household h on h.id = a.household_id
            where a.id = any($1)""";

    private final Transactions db;

    public AppliancePlacements(Transactions db) {
        this.db = db;
    }

    public Uni<Map<UUID, Placement>> of(Collection<UUID> applianceIds) {
        if (applianceIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return db.reads().preparedQuery(PLACEMENTS).execute(Tuple.of(applianceIds.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Placement> placements = new HashMap<>();
                    for (Row row : rows) {
                        placements.put(row.getUUID("id"),
                                new Placement(row.getString("thing_name"), row.getString("thing_prefix")));
                    }
                    return placements;
                });
    }
}
