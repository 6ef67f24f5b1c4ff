package dev.appliancesync.fleet.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.fleet.FleetSearch;
import dev.appliancesync.fleet.FleetService;

@Description("A page of fleet search, in a stable order; `totalCount` and `counts` cover every match, not just the page")
public record FleetConnection(
        @NonNull List<@NonNull FleetApplianceNode> appliances,
        @Description("Pass it as `after` for the next page (null before the first match)") String endCursor,
        @NonNull @Description("True if the next page has appliances") boolean hasMore,
        @Ignore FleetSearch search) {

    static FleetConnection of(FleetService.Page page) {
        return new FleetConnection(page.appliances().stream().map(FleetApplianceNode::of).toList(), page.endCursor(),
                page.hasMore(), page.search());
    }
}
