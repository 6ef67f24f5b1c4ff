package dev.appliancesync.realtime.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.common.graphql.Json;

@Type("Change")
@Description("One thing that changed and that you may see, as the `changes` stream and query deliver it")
public record ChangeEvent(
        @NonNull @Description("Opaque and ordered: pass it to `changes(since:)` to get what came after it") String cursor,
        @NonNull @Description("What happened, e.g. SHARE_GRANTED, SHARE_REVOKED, APPLIANCE_RENAMED, DEVICE_STATE, PREFERENCES_CHANGED; SUBSCRIBED is the first item of a `changes` subscription without `after`: nothing happened, its cursor is where the stream starts") String type,
        @NonNull OffsetDateTime at,
        @Id String applianceId,
        @Id String householdId,
        @NonNull @Description("The facts of the change; which fields depends on `type` and on what you may view") Json data) {

    public static ChangeEvent of(ChangeRecord change) {
        String applianceId = change.applianceId() != null ? change.applianceId().toString()
                : change.payload().getString("applianceId");
        String householdId = change.householdId() != null ? change.householdId().toString()
                : change.payload().getString("householdId");
        return new ChangeEvent(change.cursor(), change.type().name(), change.at(), applianceId, householdId,
                Json.of(change.payload()));
    }
}
