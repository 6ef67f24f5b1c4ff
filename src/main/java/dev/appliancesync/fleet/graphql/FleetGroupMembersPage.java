package dev.appliancesync.fleet.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.fleet.FleetGroupService;

@Name("FleetGroupMembers")
@Description("A page of a group's members, in a stable order")
public record FleetGroupMembersPage(
        @NonNull List<@NonNull FleetApplianceNode> appliances,
        @Description("Pass it as `after` for the next page (null before the first member)") String endCursor,
        @NonNull @Description("True if the next page has members") boolean hasMore) {

    static FleetGroupMembersPage of(FleetGroupService.Members page) {
        return new FleetGroupMembersPage(page.appliances().stream().map(FleetApplianceNode::of).toList(),
                page.endCursor(), page.hasMore());
    }
}
