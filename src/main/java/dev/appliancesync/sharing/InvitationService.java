package dev.appliancesync.sharing;

import static dev.appliancesync.change.ChangeType.INVITATION_ACCEPTED;
import static dev.appliancesync.change.ChangeType.INVITATION_CANCELLED;
import static dev.appliancesync.change.ChangeType.INVITATION_CREATED;
import static dev.appliancesync.change.ChangeType.SHARE_GRANTED;
import static dev.appliancesync.change.ChangeType.SHARE_UPDATED;
import static dev.appliancesync.sharing.SharingChanges.forUsers;
import static dev.appliancesync.sharing.SharingChanges.invitationPayload;
import static dev.appliancesync.sharing.SharingChanges.shareChanges;
import static dev.appliancesync.sharing.SharingRules.MAX_PER_TARGET;
import static dev.appliancesync.sharing.SharingRules.memberFacts;
import static dev.appliancesync.sharing.SharingRules.quota;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Guard;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdRepository;
import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.sharing.ShareRepository.Target;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Invitations of people by email: created when the email has no account (or for a household, always), accepted by
 * the invitee (or, for appliances, when they sign in), declined or withdrawn.
 */
@ApplicationScoped
public class InvitationService {

    private final Transactions db;
    private final ShareRepository shares;
    private final Guard guard;
    private final ApplianceRepository appliances;
    private final HouseholdRepository households;
    private final Authorizer authorizer;
    private final AccessGate gate;
    private final ChangeLog changes;

    public InvitationService(Transactions db, ShareRepository shares, Guard guard, ApplianceRepository appliances,
            HouseholdRepository households, Authorizer authorizer, AccessGate gate, ChangeLog changes) {
        this.db = db;
        this.shares = shares;
        this.guard = guard;
        this.appliances = appliances;
        this.households = households;
        this.authorizer = authorizer;
        this.gate = gate;
        this.changes = changes;
    }

    /** The invitee (signed in with the invitation's email, verified) accepts it: the share or membership begins. */
    public Uni<ShareRecord> acceptInvitation(Caller caller, UUID invitationId) {
        AppUser user = caller.user();
        if (!user.emailVerified()) {
            return Uni.createFrom().failure(Ids.notFound("invitation"));
        }
        return db.inTransaction(tx -> shares.lockPendingFor(tx, invitationId, user.email()).flatMap(found -> found.isEmpty()
                ? Uni.createFrom().<ShareRecord> failure(Ids.notFound("invitation"))
                : accept(tx, user, found.get()).onItem().ifNull().failWith(() -> ApiException.validation(
                        "You own this already; the invitation is cancelled"))));
    }

    /** Pending invitations for the caller's verified email, to accept or decline (cancelInvitation). */
    public Uni<List<InvitationRecord>> invitationsFor(Caller caller) {
        return caller.user().emailVerified() ? shares.pendingFor(db.reads(), caller.user().email())
                : Uni.createFrom().item(List.of());
    }

    public Uni<InvitationRecord> cancelInvitation(Caller caller, UUID invitationId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> shares.findInvitation(tx, invitationId).flatMap(found -> {
            if (found.isEmpty()) {
                return gate.<InvitationRecord> missing(session, "invitation", invitationId, Capability.MANAGE_SHARES.name());
            }
            InvitationRecord invitation = found.get();
            boolean invitee = caller.user().emailVerified() && invitation.email().equals(caller.user().email());
            // The invitee declines; otherwise whoever may manage what it is for withdraws it.
            Uni<UUID> allowed = invitee ? Uni.createFrom().item(invitation.invitedBy())
                    : invitation.applianceId() != null
                    ? guard.require(tx, session, appliances, invitation.applianceId(), Capability.MANAGE_SHARES,
                            java.util.Map.of()).map(a -> a.appliance().ownerId())
                    : guard.require(tx, session, households, invitation.householdId(), HouseholdAction.MANAGE_MEMBERS,
                            memberFacts(invitation.role(), invitation.role())).map(h -> h.household().ownerId());
            return allowed.flatMap(ownerId -> shares.cancelInvitation(tx, invitationId)
                    .flatMap(done -> changes.append(tx, forUsers(List.of(ownerId, caller.id()), INVITATION_CANCELLED,
                            invitationPayload(invitation))))
                    .replaceWith(invitation));
        }));
    }

    public Uni<List<InvitationRecord>> invitationsOfAppliances(List<UUID> applianceIds) {
        return shares.pendingInvitations(db.reads(), ShareRepository.TargetKind.APPLIANCE, applianceIds);
    }

    public Uni<List<InvitationRecord>> invitationsOfHouseholds(List<UUID> householdIds) {
        return shares.pendingInvitations(db.reads(), ShareRepository.TargetKind.HOUSEHOLD, householdIds);
    }

    /**
     * Turns the appliance-share invitations waiting for this user's verified email into shares (in the sign-in
     * transaction). Household invitations wait for the invitee's acceptInvitation.
     */
    Uni<Void> acceptInvitations(SqlConnection tx, AppUser user) {
        return shares.pendingApplianceInvitationsFor(tx, user.email()).flatMap(invitations -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (InvitationRecord invitation : invitations) {
                chain = chain.flatMap(done -> accept(tx, user, invitation).replaceWithVoid());
            }
            return chain;
        });
    }

    /**
     * A pending invitation; {@code inviteeId}, the account of that email if any, hears of it (never the caller). The
     * caller has already been allowed to share the request's target.
     */
    Uni<InvitationRecord> invite(SqlConnection tx, Caller caller, ShareRequest request, UUID inviteeId) {
        Target target = request.target();
        return shares.countPendingInvitations(tx, target, request.email()).flatMap(count -> {
            if (count >= MAX_PER_TARGET) {
                return Uni.createFrom().failure(quota("invitations-per-target"));
            }
            return shares.upsertInvitation(tx, target, request.email(), request.role(), request.capabilities(),
                            caller.id(), request.expiresAt())
                    .flatMap(upserted -> shares.findInvitation(tx, upserted.id()))
                    .flatMap(invitation -> changes.append(tx, forUsers(Arrays.asList(request.ownerId(), caller.id(), inviteeId),
                                    INVITATION_CREATED, invitationPayload(invitation.orElseThrow())))
                            .replaceWith(invitation.orElseThrow()));
        });
    }

    /** The share the invitation becomes; null (and the invitation cancelled) when the user owns its target now. */
    private Uni<ShareRecord> accept(SqlConnection tx, AppUser user, InvitationRecord invitation) {
        Target target = new Target(invitation.applianceId(), invitation.householdId());
        return shares.ownerOf(tx, target).flatMap(owner -> {
            UUID ownerId = owner.orElse(null);
            if (ownerId == null || ownerId.equals(user.id())) {
                return shares.cancelInvitation(tx, invitation.id()).replaceWith((ShareRecord) null);
            }
            Set<Capability> limit = invitation.capabilities() == null ? null : Set.copyOf(invitation.capabilities());
            return shares.upsert(tx, target, user.id(), invitation.role(), limit, invitation.invitedBy(),
                            invitation.expiresAt())
                    .flatMap(upserted -> shares.markAccepted(tx, invitation.id(), upserted.id())
                            .flatMap(done -> shares.find(tx, upserted.id()))
                            .flatMap(share -> changes.append(tx, shareChanges(
                                    upserted.created() ? SHARE_GRANTED : SHARE_UPDATED, share.orElseThrow(),
                                    ownerId, invitation.invitedBy())).replaceWith(share.orElseThrow())))
                    .call(share -> changes.append(tx, forUsers(List.of(invitation.invitedBy()), INVITATION_ACCEPTED,
                            invitationPayload(invitation).put("recipientId", user.id().toString()))));
        });
    }
}
