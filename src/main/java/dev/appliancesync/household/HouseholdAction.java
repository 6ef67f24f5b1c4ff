package dev.appliancesync.household;

import org.eclipse.microprofile.graphql.Description;

import dev.appliancesync.access.GuardedAction;

/** What the policies decide about households (actions of the Cedar schema). */
@Description("Something a person may do with a household")
public enum HouseholdAction implements GuardedAction {
    VIEW_HOUSEHOLD,
    MANAGE_MEMBERS,
    /** See members' and invitees' email addresses; everyone who may view the household sees members' names. */
    VIEW_MEMBER_EMAILS,
    ADD_APPLIANCE
}
