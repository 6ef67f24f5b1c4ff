package dev.appliancesync.sharing.graphql;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import dev.appliancesync.appliance.graphql.Appliance;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.graphql.Household;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.sharing.HouseholdMemberships;
import dev.appliancesync.sharing.InvitationService;
import dev.appliancesync.sharing.ShareService;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class SharingApi {

    private final CurrentUser currentUser;
    private final ShareService shares;
    private final InvitationService invitations;
    private final HouseholdMemberships memberships;

    public SharingApi(CurrentUser currentUser, ShareService shares, InvitationService invitations,
            HouseholdMemberships memberships) {
        this.currentUser = currentUser;
        this.shares = shares;
        this.invitations = invitations;
        this.memberships = memberships;
    }

    @Mutation("shareAppliance")
    @NonNull
    @Description("Share an appliance as FAMILY or GUEST, optionally until a time and narrowed to some capabilities. "
            + "Sharing again with the same person updates their share. Someone without an account gets an invitation.")
    public Uni<ShareResult> shareAppliance(@NonNull @Id @Name("applianceId") String applianceId,
            @NonNull @Name("recipientEmail") String recipientEmail, @NonNull @Name("role") Role role,
            @Name("expiresAt") OffsetDateTime expiresAt, @Name("capabilities") List<Capability> capabilities) {
        // The schema's [Capability] allows null items (SmallRye cannot declare [Capability!] on an optional list).
        if (capabilities != null && capabilities.contains(null)) {
            return Uni.createFrom().failure(ApiException.validation(
                    "Argument 'capabilities' of shareAppliance must be a list of capabilities, never null"));
        }
        Set<Capability> limit = capabilities == null ? null
                : capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        return currentUser.caller()
                .flatMap(caller -> shares.shareAppliance(caller, Ids.parse(applianceId, "appliance"), recipientEmail,
                        role, expiresAt, limit))
                .map(ShareResult::of);
    }

    @Mutation("revokeShare")
    @NonNull
    @Description("End a share (owner and household admins) or a household membership")
    public Uni<Share> revokeShare(@NonNull @Id @Name("shareId") String shareId) {
        return currentUser.caller().flatMap(caller -> shares.revoke(caller, Ids.parse(shareId, "share"))).map(Share::of);
    }

    @Mutation("leaveAppliance")
    @NonNull
    @Id
    @Description("Give up your own share of an appliance. Returns its id.")
    public Uni<String> leaveAppliance(@NonNull @Id @Name("applianceId") String applianceId) {
        return currentUser.caller().flatMap(caller -> shares.leaveAppliance(caller, Ids.parse(applianceId, "appliance")))
                .map(UUID::toString);
    }

    @Mutation("cancelInvitation")
    @NonNull
    public Uni<Invitation> cancelInvitation(@NonNull @Id @Name("invitationId") String invitationId) {
        return currentUser.caller()
                .flatMap(caller -> invitations.cancelInvitation(caller, Ids.parse(invitationId, "invitation")))
                .map(Invitation::of);
    }

    @Mutation("addHouseholdMember")
    @NonNull
    @Description("Invite someone to a household as ADMIN (owner only), FAMILY or GUEST, or a member to a new role "
            + "(only the owner changes an admin's). They become a member, with that role on every appliance of the "
            + "household including ones added later, when they accept (acceptInvitation). The answer is the same "
            + "whether or not the email has an account.")
    public Uni<Invitation> addHouseholdMember(@NonNull @Id @Name("householdId") String householdId,
            @NonNull @Name("email") String email, @NonNull @Name("role") Role role) {
        return currentUser.caller()
                .flatMap(caller -> memberships.addHouseholdMember(caller, Ids.parse(householdId, "household"), email, role))
                .map(Invitation::of);
    }

    @Mutation("acceptInvitation")
    @NonNull
    @Description("Accept an invitation to your verified email (see myInvitations): the membership or share begins. "
            + "Decline with cancelInvitation.")
    public Uni<Share> acceptInvitation(@NonNull @Id @Name("invitationId") String invitationId) {
        return currentUser.caller()
                .flatMap(caller -> invitations.acceptInvitation(caller, Ids.parse(invitationId, "invitation")))
                .map(Share::of);
    }

    @Query("myInvitations")
    @NonNull
    @Description("Invitations waiting for you to accept or decline (to your verified email)")
    public Uni<List<@NonNull Invitation>> myInvitations() {
        return currentUser.caller().flatMap(invitations::invitationsFor)
                .map(all -> all.stream().map(Invitation::of).toList());
    }

    @Mutation("removeHouseholdMember")
    @NonNull
    @Description("End a membership; members may remove themselves (leave)")
    public Uni<Share> removeHouseholdMember(@NonNull @Id @Name("householdId") String householdId,
            @NonNull @Id @Name("userId") String userId) {
        return currentUser.caller()
                .flatMap(caller -> memberships.removeHouseholdMember(caller, Ids.parse(householdId, "household"),
                        Ids.parse(userId, "user")))
                .map(Share::of);
    }

    @Name("shares")
    @Description("Who it is shared with (unrevoked shares, expired included); null unless you may manage its shares")
    public Uni<List<List<@NonNull Share>>> shares(@Source List<Appliance> appliances) {
        List<UUID> manageable = ids(appliances, a -> a.may(Capability.MANAGE_SHARES) ? a.id() : null);
        return shares.sharesOfAppliances(manageable).map(found -> group(appliances, Appliance::id,
                a -> a.may(Capability.MANAGE_SHARES), found, s -> s.applianceId().toString(), Share::of));
    }

    @Name("invitations")
    @Description("Pending invitations; null unless you may manage its shares")
    public Uni<List<List<@NonNull Invitation>>> invitations(@Source List<Appliance> appliances) {
        List<UUID> manageable = ids(appliances, a -> a.may(Capability.MANAGE_SHARES) ? a.id() : null);
        return invitations.invitationsOfAppliances(manageable).map(found -> group(appliances, Appliance::id,
                a -> a.may(Capability.MANAGE_SHARES), found, i -> i.applianceId().toString(), Invitation::of));
    }

    @Name("members")
    @NonNull
    @Description("Its members (the owner is not a member), with their names; their emails only if you may "
            + "VIEW_MEMBER_EMAILS")
    public Uni<List<List<@NonNull Share>>> members(@Source List<Household> households) {
        List<UUID> ids = ids(households, Household::id);
        return memberships.membersOfHouseholds(ids).map(found -> {
            List<List<Share>> grouped = group(households, Household::id, h -> true, found,
                    s -> s.householdId().toString(), Share::of);
            List<List<Share>> result = new ArrayList<>(grouped.size());
            for (int i = 0; i < households.size(); i++) {
                boolean emails = households.get(i).may(HouseholdAction.VIEW_MEMBER_EMAILS);
                result.add(emails ? grouped.get(i) : grouped.get(i).stream().map(Share::withoutEmails).toList());
            }
            return result;
        });
    }

    @Name("invitations")
    @Description("Pending invitations; null unless you may manage its members")
    public Uni<List<List<@NonNull Invitation>>> householdInvitations(@Source List<Household> households) {
        List<UUID> ids = ids(households, h -> h.may(HouseholdAction.MANAGE_MEMBERS) ? h.id() : null);
        return invitations.invitationsOfHouseholds(ids).map(found -> group(households, Household::id,
                h -> h.may(HouseholdAction.MANAGE_MEMBERS), found, i -> i.householdId().toString(), Invitation::of));
    }

    private static <S> List<UUID> ids(List<S> sources, Function<S, String> id) {
        List<UUID> ids = new ArrayList<>();
        for (S source : sources) {
            String value = id.apply(source);
            if (value != null) {
                ids.add(UUID.fromString(value));
            }
        }
        return ids;
    }

    /** Batch results in source order; null for sources the caller may not see this for. */
    private static <S, R, T> List<List<T>> group(List<S> sources, Function<S, String> sourceId,
            java.util.function.Predicate<S> allowed, List<R> found, Function<R, String> owner, Function<R, T> convert) {
        Map<String, List<T>> byOwner = new LinkedHashMap<>();
        for (R record : found) {
            byOwner.computeIfAbsent(owner.apply(record), k -> new ArrayList<>()).add(convert.apply(record));
        }
        List<List<T>> result = new ArrayList<>(sources.size());
        for (S source : sources) {
            result.add(allowed.test(source) ? byOwner.getOrDefault(sourceId.apply(source), List.of()) : null);
        }
        return result;
    }
}
