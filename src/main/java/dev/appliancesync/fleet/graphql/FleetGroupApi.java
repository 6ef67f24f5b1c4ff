package dev.appliancesync.fleet.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.fleet.FleetGroupService;
import dev.appliancesync.fleet.FleetGroupStreams;
import dev.appliancesync.fleet.FleetQuery;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class FleetGroupApi {

    private final CurrentUser currentUser;
    private final FleetGroupService groups;
    private final FleetGroupStreams streams;

    public FleetGroupApi(CurrentUser currentUser, FleetGroupService groups, FleetGroupStreams streams) {
        this.currentUser = currentUser;
        this.groups = groups;
        this.streams = streams;
    }

    @Mutation("saveFleetGroup")
    @NonNull
    @Description("Operators: saves a fleet query as a named group (replacing a group of that name). Its members are "
            + "the appliances the query matches among the types you may search (Action SEARCH_FLEET), and follow their "
            + "live state. Audited. FORBIDDEN for anyone else; a bad query as in `fleet`; QUOTA_EXCEEDED past the "
            + "configured number of groups.")
    public Uni<FleetGroupNode> saveFleetGroup(@NonNull @Name("name") String name,
            @NonNull @Name("query") FleetQuery query) {
        return currentUser.caller().flatMap(caller -> groups.save(caller, name, query)).map(FleetGroupNode::of);
    }

    @Mutation("deleteFleetGroup")
    @NonNull
    @Description("Operators: deletes a fleet group; its open fleetGroupChanged subscriptions end with NOT_FOUND. "
            + "Audited. NOT_FOUND if there is none with this id.")
    public Uni<Boolean> deleteFleetGroup(@NonNull @Id @Name("id") String id) {
        return currentUser.caller().flatMap(caller -> groups.delete(caller, id));
    }

    @Query("fleetGroups")
    @NonNull
    @Description("Operators: every fleet group, by name; of each you see the members of the types you may search")
    public Uni<List<@NonNull FleetGroupNode>> fleetGroups() {
        return currentUser.caller().flatMap(groups::list)
                .map(all -> all.stream().map(FleetGroupNode::of).toList());
    }

    @Query("fleetGroup")
    @NonNull
    @Description("Operators: one fleet group; NOT_FOUND if there is none with this id")
    public Uni<FleetGroupNode> fleetGroup(@NonNull @Id @Name("id") String id) {
        return currentUser.caller().flatMap(caller -> groups.find(caller, id)).map(FleetGroupNode::of);
    }

    @Name("members")
    @NonNull
    @Description("Its current members of the types you may search, in a stable order; `first` is 1 to 100 (default 20)")
    public Uni<FleetGroupMembersPage> members(@Source FleetGroupNode group, @Name("first") Integer first,
            @Description("endCursor of the previous page") @Name("after") String after) {
        return groups.members(group.visible(), first, after).map(FleetGroupMembersPage::of);
    }

    @Name("memberCount")
    @NonNull
    @Description("How many members it has of the types you may search")
    public Uni<Integer> memberCount(@Source FleetGroupNode group) {
        return groups.memberCount(group.visible());
    }

    @Subscription("fleetGroupChanged")
    @Description("Operators: SUBSCRIBED at once, then every appliance entering or leaving the group (of the types you "
            + "may search) as its shadow or presence changes, on any instance. Ends with FORBIDDEN when your access "
            + "to fleet search ends, with NOT_FOUND when the group is deleted.")
    public Multi<FleetGroupChangeNode> fleetGroupChanged(@NonNull @Id @Name("groupId") String groupId) {
        currentUser.principal();
        return streams.open(currentUser.caller(), groupId).map(item -> FleetGroupChangeNode.of(groupId, item));
    }
}
