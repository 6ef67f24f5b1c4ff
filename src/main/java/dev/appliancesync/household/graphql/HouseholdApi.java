package dev.appliancesync.household.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.household.HouseholdService;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class HouseholdApi {

    private final CurrentUser currentUser;
    private final HouseholdService households;

    public HouseholdApi(CurrentUser currentUser, HouseholdService households) {
        this.currentUser = currentUser;
        this.households = households;
    }

    @Query("households")
    @NonNull
    @Description("Households the caller owns or is a member of")
    public Uni<List<@NonNull Household>> households() {
        return currentUser.caller().flatMap(caller -> households.list(caller)
                .map(all -> all.stream().map(h -> Household.of(h.household(), h.role(), households.actions(caller, h)))
                        .toList()));
    }

    @Mutation("createHousehold")
    @NonNull
    @Description("Create a household you own; it gets a unique thing-name prefix")
    public Uni<Household> createHousehold(@NonNull @Name("name") String name) {
        return currentUser.caller().flatMap(caller -> households.create(caller, name)
                .map(h -> Household.of(h.household(), h.role(), households.actions(caller, h))));
    }
}
