package dev.appliancesync.preference.graphql;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.appliance.ApplianceService;
import dev.appliancesync.appliance.graphql.Appliance;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.common.graphql.Json;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.preference.PreferenceService;
import dev.appliancesync.preference.PreferencesRecord;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveFilter;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class PreferencesApi {

    private final CurrentUser currentUser;
    private final PreferenceService preferences;
    private final ApplianceService appliances;
    private final PreferenceStreams streams;

    public PreferencesApi(CurrentUser currentUser, PreferenceService preferences, ApplianceService appliances,
            PreferenceStreams streams) {
        this.currentUser = currentUser;
        this.preferences = preferences;
        this.appliances = appliances;
        this.streams = streams;
    }

    @Query("myPreferences")
    @NonNull
    @Description("The caller's preferences for every appliance they may view")
    public Uni<List<@NonNull Preferences>> myPreferences() {
        return currentUser.caller().flatMap(caller -> appliances.list(caller)
                .flatMap(views -> preferences.of(caller, views.stream().map(v -> v.appliance().id()).toList())))
                .map(found -> found.stream().map(Preferences::of).toList());
    }

    @Mutation("updatePreferences")
    @NonNull
    @Description("Replace your settings for an appliance. expectedVersion (0 when you have none yet) turns a "
            + "concurrent change from another device into CONFLICT with extensions.currentVersion; omit it to overwrite.")
    public Uni<Preferences> updatePreferences(@NonNull @Id @Name("applianceId") String applianceId,
            @NonNull @Name("settings") Json settings, @Name("expectedVersion") Integer expectedVersion) {
        return currentUser.caller()
                .flatMap(caller -> preferences.update(caller, Ids.parse(applianceId, "appliance"), settings.value(),
                        expectedVersion == null ? null : expectedVersion.longValue()))
                .map(Preferences::of);
    }

    @Name("myPreferences")
    @Description("The caller's settings for it, if any")
    public Uni<List<Preferences>> myPreferences(@Source List<Appliance> appliancesToResolve) {
        List<UUID> ids = appliancesToResolve.stream().map(a -> UUID.fromString(a.id())).toList();
        return currentUser.caller().flatMap(caller -> preferences.of(caller, ids)).map(found -> {
            Map<String, Preferences> byAppliance = found.stream().map(Preferences::of)
                    .collect(Collectors.toMap(Preferences::applianceId, Function.identity()));
            return appliancesToResolve.stream().map(a -> byAppliance.get(a.id())).toList();
        });
    }

    @Subscription("preferencesChanged")
    @Description("Your own preferences as you change them from any of your devices; only for one appliance if given")
    public Multi<Preferences> preferencesChanged(@Id String applianceId) {
        currentUser.principal();
        return streams.open(currentUser.caller(), applianceId);
    }
}
