package dev.appliancesync.state.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.common.graphql.Json;
import dev.appliancesync.common.graphql.SafeLong;
import io.vertx.core.json.JsonObject;

@Description("The latest state a device reported (its shadow), newest version only")
public record ApplianceState(
        @NonNull @Id String applianceId,
        @NonNull @Description("'' for the classic shadow, else the named shadow") String shadowName,
        @NonNull @Description("The shadow version (or a telemetry version, which devices often take from their clock in epoch milliseconds); a client never receives an older one after a newer one") SafeLong version,
        @NonNull @Description("What the device reports") Json reported,
        @Description("What the device was asked to do; null unless you may adjust its settings") Json desired,
        @Description("When the device reported it") OffsetDateTime reportedAt,
        @NonNull @Description("When the service stored it") OffsetDateTime updatedAt) {

    /** From a DEVICE_STATE entry as the subscriber may see it (see ChangeVisibility). */
    public static ApplianceState of(ChangeRecord change) {
        JsonObject state = change.payload();
        JsonObject desired = state.getJsonObject("desired");
        String reportedAt = state.getString("reportedAt");
        return new ApplianceState(state.getString("applianceId"), state.getString("shadowName"),
                SafeLong.of(state.getLong("version")), Json.of(state.getJsonObject("reported")),
                desired == null ? null : Json.of(desired),
                reportedAt == null ? null : OffsetDateTime.parse(reportedAt),
                OffsetDateTime.parse(state.getString("updatedAt")));
    }

    /** Latest-wins is per appliance and shadow. */
    String key() {
        return applianceId + "/" + shadowName;
    }
}
