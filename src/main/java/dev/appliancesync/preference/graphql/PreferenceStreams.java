package dev.appliancesync.preference.graphql;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.preference.PreferencesRecord;
import dev.appliancesync.realtime.IdentityMemo;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveField;
import dev.appliancesync.realtime.LiveFilter;
import dev.appliancesync.realtime.LiveStart;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The {@code preferencesChanged} stream, for its resolver ({@link PreferencesApi}) and the multiplexed path alike. */
@ApplicationScoped
public class PreferenceStreams implements LiveField {

    private final LiveChanges live;
    /** One item per change, shared by the user's subscriptions it goes to (their frames are rendered once). */
    private final IdentityMemo<ChangeRecord, Preferences> items = new IdentityMemo<>(16);

    public PreferenceStreams(LiveChanges live) {
        this.live = live;
    }

    @Override
    public String name() {
        return "preferencesChanged";
    }

    @Override
    public Class<Preferences> itemType() {
        return Preferences.class;
    }

    @Override
    public Multi<Preferences> open(Uni<Caller> caller, Map<String, Object> arguments) {
        return open(caller, (String) arguments.get("applianceId"));
    }

    /** The caller's own preferences as they change, of {@code applianceId} only if given. */
    Multi<Preferences> open(Uni<Caller> caller, String applianceId) {
        UUID only = applianceId == null ? null : Ids.parse(applianceId, "appliance");
        return live.stream(caller.map(Caller::subject), LiveFilter.ofTypes(Set.of(ChangeType.PREFERENCES_CHANGED), only),
                null, LiveStart.NOW, () -> change -> items.get(change,
                        visible -> Preferences.of(PreferencesRecord.fromChange(visible.payload()))));
    }
}
