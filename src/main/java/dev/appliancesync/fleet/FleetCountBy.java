package dev.appliancesync.fleet;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;

/** What to count matching appliances by: a column, or a shadow attribute (exactly one). */
@Input("FleetCountBy")
@Description("Count by exactly one of: a field, or a shadow attribute path (reported.RunningMode)")
public record FleetCountBy(
        FleetCountField field,
        @Description("reported.<name> or desired.<name>; an appliance is counted once per distinct value among its "
                + "shadows, and under null when none has it") String attribute,
        @Description("With attribute: only this shadow ('' is the classic one)") String shadow) {
}
