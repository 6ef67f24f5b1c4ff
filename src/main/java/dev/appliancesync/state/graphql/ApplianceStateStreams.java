package dev.appliancesync.state.graphql;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.appliance.ApplianceService;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.realtime.IdentityMemo;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveField;
import dev.appliancesync.realtime.LiveFilter;
import dev.appliancesync.realtime.LiveItems;
import dev.appliancesync.realtime.LiveStart;
import dev.appliancesync.state.DeviceStateService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The {@code applianceState} stream, for its resolver ({@link ApplianceStateSubscription}) and the multiplexed path
 * alike.
 */
@ApplicationScoped
public class ApplianceStateStreams implements LiveField {

    private final ApplianceService appliances;
    private final DeviceStateService states;
    private final LiveChanges live;
    /** One item per visible change, shared by every subscriber it goes to (their frames are rendered once). */
    private final IdentityMemo<ChangeRecord, ApplianceState> items = new IdentityMemo<>(16);

    public ApplianceStateStreams(ApplianceService appliances, DeviceStateService states, LiveChanges live) {
        this.appliances = appliances;
        this.states = states;
        this.live = live;
    }

    @Override
    public String name() {
        return "applianceState";
    }

    @Override
    public Class<ApplianceState> itemType() {
        return ApplianceState.class;
    }

    @Override
    public Multi<ApplianceState> open(Uni<Caller> caller, Map<String, Object> arguments) {
        return open(caller, (String) arguments.get("applianceId"));
    }

    /** The states of {@code applianceId} (null: of every appliance whose status the caller may view). */
    Multi<ApplianceState> open(Uni<Caller> caller, String applianceId) {
        UUID only = applianceId == null ? null : Ids.parse(applianceId, "appliance");
        Uni<Caller> allowed = only == null ? caller
                : caller.call(signedIn -> appliances.get(signedIn, only)); // NOT_FOUND unless they may view its status
        LiveFilter filter = LiveFilter.ofTypes(Set.of(ChangeType.DEVICE_STATE), only);
        return live.stream(allowed.map(Caller::subject), filter,
                view -> states.current(only == null ? view.appliances().keySet() : Set.of(only)), LiveStart.NOW,
                this::newerStates);
    }

    /**
     * One subscription's states: the first states and live ones can cross, so only ever a newer version than the one
     * it last sent of each appliance.
     */
    private LiveItems<ApplianceState> newerStates() {
        Map<String, Long> newest = new HashMap<>(4);
        return change -> {
            ApplianceState state = items.get(change, ApplianceState::of);
            Long seen = newest.get(state.key());
            if (seen != null && seen >= state.version().value()) {
                return null;
            }
            newest.put(state.key(), state.version().value());
            return state;
        };
    }
}
