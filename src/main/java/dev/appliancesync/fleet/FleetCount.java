package dev.appliancesync.fleet;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

/** How many matching appliances have one value. */
@Description("How many matching appliances have this value (null: none)")
public record FleetCount(@Description("The value as text (a JSON attribute's text, true/false, a number)") String value,
        @NonNull int count) {
}
