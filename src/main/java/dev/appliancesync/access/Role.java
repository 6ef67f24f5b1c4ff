package dev.appliancesync.access;

import org.eclipse.microprofile.graphql.Description;

@Description("How someone is related to an appliance or household. The policies decide what each role may do.")
public enum Role {
    @Description("Claimed the appliance (or created the household)")
    OWNER,
    @Description("Household admin: runs every appliance of the household and manages its shares and members")
    ADMIN,
    @Description("Shared as family")
    FAMILY,
    @Description("Shared as guest")
    GUEST;

    /** Strongest first: when someone holds several grants, this orders them for display. */
    public boolean outranks(Role other) {
        return ordinal() < other.ordinal();
    }
}
