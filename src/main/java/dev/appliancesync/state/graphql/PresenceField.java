package dev.appliancesync.state.graphql;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.access.Capability;
import dev.appliancesync.appliance.graphql.Appliance;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.state.PresenceRepository;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class PresenceField {

    private final DeviceStateService states;

    public PresenceField(DeviceStateService states) {
        this.states = states;
    }

    @Name("presence")
    @Description("Connected or not, from IoT Core's lifecycle events; null before the first one (or without VIEW_STATUS)")
    public Uni<List<DevicePresence>> presence(@Source List<Appliance> appliances) {
        List<UUID> ids = appliances.stream().map(a -> UUID.fromString(a.id())).toList();
        return states.presence(ids).map(byAppliance -> appliances.stream().map(a -> {
            PresenceRepository.Presence presence = byAppliance.get(UUID.fromString(a.id()));
            return presence == null || !a.myCapabilities().contains(Capability.VIEW_STATUS) ? null
                    : new DevicePresence(presence.online(), presence.lastSeenAt());
        }).toList());
    }
}
