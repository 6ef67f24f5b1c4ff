package dev.appliancesync.fleet.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.fleet.FleetCount;
import dev.appliancesync.fleet.FleetCountBy;
import dev.appliancesync.fleet.FleetQuery;
import dev.appliancesync.fleet.FleetService;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class FleetApi {

    private final CurrentUser currentUser;
    private final FleetService fleet;

    public FleetApi(CurrentUser currentUser, FleetService fleet) {
        this.currentUser = currentUser;
        this.fleet = fleet;
    }

    @Query("fleet")
    @NonNull
    @Description("Operators: appliances matching a query over type, firmware version, presence, household and shadow "
            + "attributes, in a stable order (docs/fleet.md). Only the types the policies let you search "
            + "(Action SEARCH_FLEET) are read; anyone else gets FORBIDDEN. A malformed query is VALIDATION with "
            + "reason BAD_QUERY, one over the limits QUERY_TOO_COMPLEX; `first` is 1 to 100 (default 20).")
    public Uni<FleetConnection> fleet(@NonNull @Name("query") FleetQuery query, @Name("first") Integer first,
            @Description("endCursor of the previous page") @Name("after") String after) {
        return currentUser.caller().flatMap(caller -> fleet.search(caller, query, first, after))
                .map(FleetConnection::of);
    }

    @Name("totalCount")
    @NonNull
    @Description("How many appliances match, on every page")
    public Uni<Integer> totalCount(@Source FleetConnection connection) {
        return fleet.total(connection.search());
    }

    @Name("counts")
    @NonNull
    @Description("How many matching appliances have each value of a field or shadow attribute, largest first (at most 100)")
    public Uni<List<@NonNull FleetCount>> counts(@Source FleetConnection connection,
            @NonNull @Name("by") FleetCountBy by) {
        return fleet.counts(connection.search(), by);
    }
}
