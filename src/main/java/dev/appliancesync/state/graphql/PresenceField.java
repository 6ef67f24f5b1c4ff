package dev.appliancesync.state.graphql;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.access.Capability;
import dev.appliancesync.appliance.graphql.Appliance;
import dev.appliancesync.common.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@GraphQLApi
public class PresenceField {

    private final Transactions db;

    public PresenceField(Transactions db) {
        this.db = db;
    }

    @Name("presence")
    @Description("Connected or not, from IoT Core's lifecycle events; null before the first one (or without VIEW_STATUS)")
    public Uni<List<DevicePresence>> presence(@Source List<Appliance> appliances) {
        UUID[] ids = appliances.stream().map(a -> UUID.fromString(a.id())).toArray(UUID[]::new);
        return db.reads().preparedQuery("select appliance_id, online, last_seen_at from device_presence "
                        + "where appliance_id = any($1)")
                .execute(Tuple.of(ids))
                .map(rows -> {
                    Map<String, DevicePresence> byAppliance = new HashMap<>();
                    for (Row row : rows) {
                        byAppliance.put(row.getUUID("appliance_id").toString(),
                                new DevicePresence(row.getBoolean("online"), row.getOffsetDateTime("last_seen_at")));
                    }
                    return appliances.stream().map(a -> a.myCapabilities().contains(Capability.VIEW_STATUS)
                            ? byAppliance.get(a.id()) : null).toList();
                });
    }
}
