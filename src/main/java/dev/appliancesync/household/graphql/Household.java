package dev.appliancesync.household.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.access.Role;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdRecord;

@Description("A group of appliances whose members hold their role on every one of them")
public record Household(
        @NonNull @Id String id,
        @NonNull String name,
        @NonNull @Description("The prefix of its view topics, view/households/<prefix>/... (8 lower-case letters or "
                + "digits); not part of any thing name") String thingPrefix,
        @NonNull Role myRole,
        @NonNull @Description("What the caller may do with it, as the policies decide now")
        List<@NonNull HouseholdAction> myActions) {

    public static Household of(HouseholdRecord household, Role role, List<HouseholdAction> actions) {
        return new Household(household.id().toString(), household.name(), household.thingPrefix(), role, actions);
    }

    public boolean may(HouseholdAction action) {
        return myActions.contains(action);
    }
}
