package dev.appliancesync.preference.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.common.graphql.Json;
import dev.appliancesync.preference.PreferencesRecord;

@Description("The caller's personal settings for one appliance")
public record Preferences(@NonNull @Id String applianceId, @NonNull Json settings,
        @NonNull @Description("Pass it as expectedVersion to update without overwriting another device's change")
        int version,
        @NonNull OffsetDateTime updatedAt) {

    public static Preferences of(PreferencesRecord record) {
        return new Preferences(record.applianceId().toString(), Json.of(record.settings()), Math.toIntExact(record.version()),
                record.updatedAt());
    }
}
