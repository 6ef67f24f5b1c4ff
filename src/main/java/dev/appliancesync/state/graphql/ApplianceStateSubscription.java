package dev.appliancesync.state.graphql;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;

import dev.appliancesync.appliance.ApplianceService;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveFilter;
import dev.appliancesync.state.DeviceStateService;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class ApplianceStateSubscription {

    private final CurrentUser currentUser;
    private final ApplianceService appliances;
    private final DeviceStateService states;
    private final LiveChanges live;

    public ApplianceStateSubscription(CurrentUser currentUser, ApplianceService appliances, DeviceStateService states,
            LiveChanges live) {
        this.currentUser = currentUser;
        this.appliances = appliances;
        this.states = states;
        this.live = live;
    }

    @Subscription("applianceState")
    @Description("The current state of one appliance (or, without `applianceId`, of every appliance whose status you may "
            + "view) at once, then every newer state as it is reported. On one appliance, the subscription ends with "
            + "ACCESS_REVOKED when your access ends; on all of them, that appliance's states simply stop.")
    public Multi<ApplianceState> applianceState(@Id String applianceId) {
        currentUser.principal();
        UUID only = applianceId == null ? null : Ids.parse(applianceId, "appliance");
        Uni<Caller> caller = currentUser.caller();
        Uni<Caller> allowed = only == null ? caller
                : caller.call(signedIn -> appliances.get(signedIn, only)); // NOT_FOUND unless they may view its status
        LiveFilter filter = LiveFilter.ofTypes(Set.of(ChangeType.DEVICE_STATE), only);
        return Multi.createFrom().deferred(() -> {
            Map<String, Long> newest = new HashMap<>();
            return live.stream(allowed.map(Caller::subject), filter,
                            view -> states.current(only == null ? view.appliances().keySet() : Set.of(only)))
                    .map(ApplianceState::of)
                    // The first states and live ones can cross; only ever send a newer version.
                    .filter(state -> {
                        Long seen = newest.get(state.key());
                        if (seen != null && seen >= state.version().value()) {
                            return false;
                        }
                        newest.put(state.key(), state.version().value());
                        return true;
                    });
        });
    }
}
