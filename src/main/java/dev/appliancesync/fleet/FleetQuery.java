package dev.appliancesync.fleet;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;

import dev.appliancesync.appliance.ApplianceType;

/**
 * Which appliances a fleet search wants. Every field given must hold (and); {@code or} holds when any of its queries
 * does, {@code not} when its query does not. An empty query matches every appliance the caller may search.
 */
@Input("FleetQuery")
@Description("Appliances to find: every field given must hold; `and`/`or` combine nested queries, `not` negates one")
public record FleetQuery(
        @Description("Any of these types") List<ApplianceType> types,
        @Description("Firmware version comparisons") VersionFilter firmware,
        @Description("Connected now (true) or not (false; also appliances never seen)") Boolean online,
        @Description("Last seen connected or disconnecting before this time") OffsetDateTime lastSeenBefore,
        @Description("Last seen connected or disconnecting after this time") OffsetDateTime lastSeenAfter,
        @Id @Description("In this household") String householdId,
        @Description("Shadow attribute conditions, all of which must hold") List<AttributeFilter> attributes,
        @Description("All of these hold") List<FleetQuery> and,
        @Description("At least one of these holds") List<FleetQuery> or,
        @Description("This does not hold") FleetQuery not) {
}
