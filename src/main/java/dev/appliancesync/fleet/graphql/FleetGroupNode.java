package dev.appliancesync.fleet.graphql;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.fleet.FleetGroupService;

@Name("FleetGroup")
@Description("A named fleet query whose members follow the live state (docs/fleet.md, \"Dynamic groups\")")
public record FleetGroupNode(
        @NonNull @Id String id,
        @NonNull String name,
        @NonNull @Description("The saved FleetQuery, as JSON") String query,
        @NonNull @Description("The types its members may have that you may search: you see only members of these")
        List<@NonNull ApplianceType> types,
        @NonNull @Description("When it was last saved") OffsetDateTime savedAt,
        @Ignore FleetGroupService.Visible visible) {

    static FleetGroupNode of(FleetGroupService.Visible visible) {
        return new FleetGroupNode(visible.group().id().toString(), visible.group().name(),
                visible.group().queryJson(),
                visible.visibleTypes().stream().map(ApplianceType::valueOf).toList(), visible.group().savedAt(),
                visible);
    }
}
