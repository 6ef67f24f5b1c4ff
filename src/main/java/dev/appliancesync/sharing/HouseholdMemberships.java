package dev.appliancesync.sharing;

import static dev.appliancesync.sharing.SharingRules.memberFacts;
import static dev.appliancesync.sharing.SharingRules.requireRole;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Guard;
import dev.appliancesync.access.Role;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdRepository;
import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.Emails;
import dev.appliancesync.identity.UserRepository;
import dev.appliancesync.sharing.ShareRepository.Target;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Household memberships: people invited to a household, members leaving or removed. */
@ApplicationScoped
public class HouseholdMemberships {

    private final Transactions db;
    private final ShareRepository shares;
    private final Guard guard;
    private final HouseholdRepository households;
    private final Authorizer authorizer;
    private final UserRepository users;
    private final InvitationService invitations;
    private final ShareRevocations revocations;

    public HouseholdMemberships(Transactions db, ShareRepository shares, Guard guard, HouseholdRepository households,
            Authorizer authorizer, UserRepository users, InvitationService invitations, ShareRevocations revocations) {
        this.db = db;
        this.shares = shares;
        this.guard = guard;
        this.households = households;
        this.authorizer = authorizer;
        this.users = users;
        this.invitations = invitations;
        this.revocations = revocations;
    }

    /**
     * Invites someone to a household (or to a new role in it): they become a member only when they accept. The answer
     * is the invitation whether or not the email belongs to an account, so it tells the caller nothing about who has
     * one. The policies see the role being granted and the one the person holds now (memberCurrentRole), so only the
     * owner touches admins.
     */
    public Uni<InvitationRecord> addHouseholdMember(Caller caller, UUID householdId, String memberEmail, Role role) {
        String email = Emails.normalise(memberEmail);
        requireRole(role, EnumSet.of(Role.ADMIN, Role.FAMILY, Role.GUEST), "A household member is ADMIN, FAMILY or GUEST");
        Target target = new Target(null, householdId);
        // The member's current role is read under the household's lock: a role change committed between reading it
        // and deciding would let an admin demote an admin that was just made one.
        return guard.changeLockedFirst(caller.subject(), households, householdId, HouseholdAction.MANAGE_MEMBERS,
                tx -> shares.currentHouseholdRole(tx, householdId, email)
                        .map(current -> memberFacts(role, current.orElse(null))),
                locked -> email.equals(caller.user().email())
                        ? Uni.createFrom().<InvitationRecord> failure(ApiException.validation("You cannot invite yourself"))
                        : users.findByVerifiedEmail(locked.tx(), email).flatMap(invitee -> invitations.invite(locked.tx(),
                                caller, new ShareRequest(target, locked.resource().household().ownerId(), email, role,
                                        null, null), invitee.map(AppUser::id).orElse(null))));
    }

    /** Ends a membership; members may remove themselves, admins and the owner anyone they may manage. */
    public Uni<ShareRecord> removeHouseholdMember(Caller caller, UUID householdId, UUID memberId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        Target target = new Target(null, householdId);
        return db.inTransaction(tx -> !memberId.equals(caller.id())
                ? removeOther(tx, caller, session, householdId, memberId, target)
                : shares.findActive(tx, target, memberId).flatMap(own -> own.isPresent()
                        ? guard.require(tx, session, households, householdId, HouseholdAction.VIEW_HOUSEHOLD, Map.of())
                                .flatMap(h -> revocations.end(tx, own.get(), h.household().ownerId(), caller.id(), "LEFT"))
                        : removeOther(tx, caller, session, householdId, memberId, target)));
    }

    public Uni<List<ShareRecord>> membersOfHouseholds(List<UUID> householdIds) {
        return shares.unrevoked(db.reads(), ShareRepository.TargetKind.HOUSEHOLD, householdIds);
    }

    /**
     * Someone else's membership ends if the caller may manage it. The member's role is read under the household's
     * lock (as in addHouseholdMember): a promotion to admin committed between reading it and deciding would let an
     * admin remove an admin.
     */
    private Uni<ShareRecord> removeOther(SqlConnection tx, Caller caller, Authorizer.Session session,
            UUID householdId, UUID memberId, Target target) {
        AtomicReference<Optional<ShareRecord>> member = new AtomicReference<>(Optional.empty());
        return guard.requireLockedFirst(tx, session, households, householdId, HouseholdAction.MANAGE_MEMBERS,
                () -> shares.findActive(tx, target, memberId).invoke(member::set)
                        .map(found -> found.map(s -> memberFacts(s.role(), s.role())).orElse(Map.of())))
                .flatMap(h -> member.get().isEmpty()
                        ? Uni.createFrom().<ShareRecord> failure(new ApiException(ErrorCode.NOT_FOUND,
                                "This person is not a member of the household (the owner cannot be removed)"))
                        : revocations.end(tx, member.get().get(), h.household().ownerId(), caller.id(), "REVOKED"));
    }
}
