package dev.appliancesync.sharing;

import static dev.appliancesync.change.ChangeType.INVITATION_ACCEPTED;
import static dev.appliancesync.change.ChangeType.INVITATION_CANCELLED;
import static dev.appliancesync.change.ChangeType.INVITATION_CREATED;
import static dev.appliancesync.change.ChangeType.SHARE_EXPIRED;
import static dev.appliancesync.change.ChangeType.SHARE_GRANTED;
import static dev.appliancesync.change.ChangeType.SHARE_REVOKED;
import static dev.appliancesync.change.ChangeType.SHARE_UPDATED;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Grant;
import dev.appliancesync.access.Role;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.appliance.ApplianceGuard;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdGuard;
import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.Emails;
import dev.appliancesync.identity.UserService;
import dev.appliancesync.sharing.ShareRepository.Target;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Shares of appliances and household memberships: granted, updated, revoked, left; invitations for new people. */
@ApplicationScoped
public class ShareService {

    /** Active shares (and, separately, pending invitations) per appliance or household. */
    public static final int MAX_PER_TARGET = 50;
    private static final String MEMBER_ROLE = "memberRole";
    private static final String MEMBER_CURRENT_ROLE = "memberCurrentRole";

    /** The result of sharing: a share when the recipient has an account, otherwise a pending invitation. */
    public record Outcome(ShareRecord share, InvitationRecord invitation) {
    }

    private final Transactions db;
    private final ShareRepository shares;
    private final ApplianceGuard appliances;
    private final ApplianceRepository applianceRepository;
    private final HouseholdGuard households;
    private final Authorizer authorizer;
    private final AccessGate gate;
    private final UserService users;
    private final ChangeLog changes;

    public ShareService(Transactions db, ShareRepository shares, ApplianceGuard appliances,
            ApplianceRepository applianceRepository, HouseholdGuard households, Authorizer authorizer, AccessGate gate,
            UserService users, ChangeLog changes) {
        this.db = db;
        this.shares = shares;
        this.appliances = appliances;
        this.applianceRepository = applianceRepository;
        this.households = households;
        this.authorizer = authorizer;
        this.gate = gate;
        this.users = users;
        this.changes = changes;
    }

    public Uni<Outcome> shareAppliance(Caller caller, UUID applianceId, String recipientEmail, Role role,
            OffsetDateTime expiresAt, Set<Capability> capabilities) {
        String email = Emails.normalise(recipientEmail);
        requireRole(role, EnumSet.of(Role.FAMILY, Role.GUEST), "An appliance is shared as FAMILY or GUEST; "
                + "household admins are added with addHouseholdMember");
        requireFuture(expiresAt);
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> appliances.require(tx, session, applianceId, Capability.MANAGE_SHARES)
                .flatMap(access -> {
                    Set<Capability> limit = validCapabilities(session, access, role, capabilities);
                    return grant(tx, caller, new Target(applianceId, null), access.appliance().ownerId(), email, role,
                            limit, expiresAt);
                }));
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
        Authorizer.Session session = authorizer.session(caller.subject());
        Target target = new Target(null, householdId);
        // The member's current role is read under the household's lock: a role change committed between reading it
        // and deciding would let an admin demote an admin that was just made one.
        return db.inTransaction(tx -> households.requireLockedFirst(tx, session, householdId,
                        HouseholdAction.MANAGE_MEMBERS, () -> shares.currentHouseholdRole(tx, householdId, email)
                                .map(current -> memberFacts(role, current.orElse(null))))
                .flatMap(household -> email.equals(caller.user().email())
                        ? Uni.createFrom().<Outcome> failure(ApiException.validation("You cannot invite yourself"))
                        : users.findByVerifiedEmail(tx, email).flatMap(invitee -> invite(tx, caller, target,
                                household.household().ownerId(), invitee.map(AppUser::id).orElse(null), email, role,
                                null, null)))
                .map(Outcome::invitation));
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

    public Uni<ShareRecord> revoke(Caller caller, UUID shareId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> shares.find(tx, shareId).flatMap(found -> {
            if (found.isEmpty()) {
                return gate.<ShareRecord> missing(session, "share", shareId, Capability.MANAGE_SHARES.name());
            }
            ShareRecord share = found.get();
            return requireManage(tx, session, share).flatMap(ownerId -> share.revokedAt() != null
                    ? Uni.createFrom().item(share)
                    : end(tx, share, ownerId, caller.id(), "REVOKED"));
        }));
    }

    /** The caller gives up their own share of the appliance. */
    public Uni<UUID> leaveAppliance(Caller caller, UUID applianceId) {
        return db.inTransaction(tx -> shares.findActive(tx, new Target(applianceId, null), caller.id()).flatMap(found -> {
            if (found.isPresent()) {
                return applianceRepository.find(tx, caller.id(), applianceId, true)
                        .flatMap(appliance -> end(tx, found.get(), appliance.map(a -> a.appliance().ownerId()).orElse(null),
                                caller.id(), "LEFT"))
                        .replaceWith(applianceId);
            }
            return applianceRepository.find(tx, caller.id(), applianceId, false).flatMap(appliance -> {
                boolean visible = appliance.isPresent() && authorizer.session(caller.subject())
                        .decide(Capability.VIEW_STATUS.name(), appliance.get().appliance().resource(), appliance.get().grants())
                        .allowed();
                return Uni.createFrom().failure(visible
                        ? ApiException.validation("You have no share of this appliance to leave: your access comes from "
                                + "owning it or from a household (leave the household with removeHouseholdMember)")
                        : Ids.notFound("appliance"));
            });
        }));
    }

    /** Ends a membership; members may remove themselves, admins and the owner anyone they may manage. */
    public Uni<ShareRecord> removeHouseholdMember(Caller caller, UUID householdId, UUID memberId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        Target target = new Target(null, householdId);
        return db.inTransaction(tx -> !memberId.equals(caller.id())
                ? removeOther(tx, caller, session, householdId, memberId, target)
                : shares.findActive(tx, target, memberId).flatMap(own -> own.isPresent()
                        ? households.require(tx, session, householdId, HouseholdAction.VIEW_HOUSEHOLD, Map.of())
                                .flatMap(h -> end(tx, own.get(), h.household().ownerId(), caller.id(), "LEFT"))
                        : removeOther(tx, caller, session, householdId, memberId, target)));
    }

    /**
     * Someone else's membership ends if the caller may manage it. The member's role is read under the household's
     * lock (as in addHouseholdMember): a promotion to admin committed between reading it and deciding would let an
     * admin remove an admin.
     */
    private Uni<ShareRecord> removeOther(SqlConnection tx, Caller caller, Authorizer.Session session,
            UUID householdId, UUID memberId, Target target) {
        AtomicReference<Optional<ShareRecord>> member = new AtomicReference<>(Optional.empty());
        return households.requireLockedFirst(tx, session, householdId, HouseholdAction.MANAGE_MEMBERS,
                () -> shares.findActive(tx, target, memberId).invoke(member::set)
                        .map(found -> found.map(s -> memberFacts(s.role(), s.role())).orElse(Map.of())))
                .flatMap(h -> member.get().isEmpty()
                        ? Uni.createFrom().<ShareRecord> failure(new ApiException(ErrorCode.NOT_FOUND,
                                "This person is not a member of the household (the owner cannot be removed)"))
                        : end(tx, member.get().get(), h.household().ownerId(), caller.id(), "REVOKED"));
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
                    ? appliances.require(tx, session, invitation.applianceId(), Capability.MANAGE_SHARES)
                            .map(a -> a.appliance().ownerId())
                    : households.require(tx, session, invitation.householdId(), HouseholdAction.MANAGE_MEMBERS,
                            memberFacts(invitation.role(), invitation.role())).map(h -> h.household().ownerId());
            return allowed.flatMap(ownerId -> shares.cancelInvitation(tx, invitationId)
                    .flatMap(done -> changes.append(tx, notify(List.of(ownerId, caller.id()), INVITATION_CANCELLED,
                            invitationPayload(invitation))))
                    .replaceWith(invitation));
        }));
    }

    /** Unrevoked shares of the appliances (the caller must already be allowed to manage them). */
    public Uni<List<ShareRecord>> sharesOfAppliances(List<UUID> applianceIds) {
        return shares.unrevoked(db.reads(), "appliance_id", applianceIds);
    }

    public Uni<List<ShareRecord>> membersOfHouseholds(List<UUID> householdIds) {
        return shares.unrevoked(db.reads(), "household_id", householdIds);
    }

    public Uni<List<InvitationRecord>> invitationsOfAppliances(List<UUID> applianceIds) {
        return shares.pendingInvitations(db.reads(), "appliance_id", applianceIds);
    }

    public Uni<List<InvitationRecord>> invitationsOfHouseholds(List<UUID> householdIds) {
        return shares.pendingInvitations(db.reads(), "household_id", householdIds);
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

    /** The share the invitation becomes; null (and the invitation cancelled) when the user owns its target now. */
    private Uni<ShareRecord> accept(SqlConnection tx, AppUser user, InvitationRecord invitation) {
        Target target = new Target(invitation.applianceId(), invitation.householdId());
        String ownerQuery = invitation.applianceId() != null ? "select owner_id from appliance where id = $1"
                : "select owner_id from household where id = $1";
        return tx.preparedQuery(ownerQuery).execute(io.vertx.mutiny.sqlclient.Tuple.of(target.id())).flatMap(rows -> {
            UUID ownerId = rows.rowCount() == 0 ? null : rows.iterator().next().getUUID("owner_id");
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
                    .call(share -> changes.append(tx, notify(List.of(invitation.invitedBy()), INVITATION_ACCEPTED,
                            invitationPayload(invitation).put("recipientId", user.id().toString()))));
        });
    }

    private Uni<Outcome> grant(SqlConnection tx, Caller caller, Target target, UUID ownerId, String email, Role role,
            Set<Capability> capabilities, OffsetDateTime expiresAt) {
        if (email.equals(caller.user().email())) {
            return Uni.createFrom().failure(ApiException.validation("You cannot share with yourself"));
        }
        return users.findByVerifiedEmail(tx, email).flatMap(found -> {
            if (found.isEmpty()) {
                return invite(tx, caller, target, ownerId, null, email, role, capabilities, expiresAt);
            }
            AppUser recipient = found.get();
            if (recipient.id().equals(caller.id())) {
                return Uni.createFrom().failure(ApiException.validation("You cannot share with yourself"));
            }
            if (recipient.id().equals(ownerId)) {
                return Uni.createFrom().failure(ApiException.validation("This person owns it already"));
            }
            return shares.countActive(tx, target, recipient.id()).flatMap(count -> {
                if (count >= MAX_PER_TARGET) {
                    return Uni.createFrom().failure(quota("shares-per-target"));
                }
                return shares.upsert(tx, target, recipient.id(), role, capabilities, caller.id(), expiresAt)
                        .flatMap(upserted -> shares.find(tx, upserted.id()).flatMap(share -> changes
                                .append(tx, shareChanges(upserted.created() ? SHARE_GRANTED : SHARE_UPDATED,
                                        share.orElseThrow(), ownerId, caller.id()))
                                .replaceWith(new Outcome(share.orElseThrow(), null))));
            });
        });
    }

    /** A pending invitation; {@code inviteeId}, the account of that email if any, hears of it (never the caller). */
    private Uni<Outcome> invite(SqlConnection tx, Caller caller, Target target, UUID ownerId, UUID inviteeId,
            String email, Role role, Set<Capability> capabilities, OffsetDateTime expiresAt) {
        return shares.countPendingInvitations(tx, target, email).flatMap(count -> {
            if (count >= MAX_PER_TARGET) {
                return Uni.createFrom().failure(quota("invitations-per-target"));
            }
            return shares.upsertInvitation(tx, target, email, role, capabilities, caller.id(), expiresAt)
                    .flatMap(upserted -> shares.findInvitation(tx, upserted.id()))
                    .flatMap(invitation -> changes.append(tx, notify(Arrays.asList(ownerId, caller.id(), inviteeId),
                                    INVITATION_CREATED, invitationPayload(invitation.orElseThrow())))
                            .replaceWith(new Outcome(null, invitation.orElseThrow())));
        });
    }

    /**
     * Announces shares that have reached their expiry time (SHARE_EXPIRED, to the recipient and the owner), at most
     * {@code limit} at a time; returns how many. The share already grants nothing from that instant (every query
     * checks the time); this is how open subscriptions and other people learn it. Instances racing here skip each
     * other's rows.
     */
    public Uni<Integer> announceExpired(int limit) {
        return db.inTransaction(tx -> tx.preparedQuery("""
                        with due as (
                            select s.id from share s
                            where s.revoked_at is null and s.expires_at <= now() and s.expiry_announced_at is null
                            order by s.expires_at limit $1 for update skip locked)
                        update share s set expiry_announced_at = now() from due where s.id = due.id
                        returning s.id, coalesce((select a.owner_id from appliance a where a.id = s.appliance_id),
                                                 (select h.owner_id from household h where h.id = s.household_id)) as owner_id""")
                .execute(Tuple.of(limit))
                .flatMap(expired -> {
                    if (expired.rowCount() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    List<Uni<List<Change>>> announcements = new ArrayList<>();
                    for (Row row : expired) {
                        UUID owner = row.getUUID("owner_id");
                        announcements.add(shares.find(tx, row.getUUID("id"))
                                .map(share -> shareChanges(SHARE_EXPIRED, share.orElseThrow(), owner, null)));
                    }
                    return Uni.join().all(announcements).andFailFast()
                            .flatMap(lists -> changes.append(tx, lists.stream().flatMap(List::stream).toList()))
                            .replaceWith(expired.rowCount());
                }));
    }

    /** Ends a share; who learns of it: its recipient, the owner of what was shared, whoever ended it. */
    private Uni<ShareRecord> end(SqlConnection tx, ShareRecord share, UUID ownerId, UUID actor, String reason) {
        return shares.revoke(tx, share.id(), actor, reason)
                .flatMap(done -> shares.find(tx, share.id()))
                .flatMap(revoked -> changes.append(tx, shareChanges(SHARE_REVOKED, revoked.orElseThrow(), ownerId, actor))
                        .replaceWith(revoked.orElseThrow()));
    }

    /** Management of a share is management of what it shares: the appliance's shares or the household's members. */
    private Uni<UUID> requireManage(SqlConnection tx, Authorizer.Session session, ShareRecord share) {
        if (share.applianceId() != null) {
            return appliances.require(tx, session, share.applianceId(), Capability.MANAGE_SHARES)
                    .map(access -> access.appliance().ownerId());
        }
        return households.require(tx, session, share.householdId(), HouseholdAction.MANAGE_MEMBERS,
                memberFacts(share.role(), share.role())).map(h -> h.household().ownerId());
    }

    /** What the policies see of a membership change: the role granted or taken away, and the one held now. */
    private static Map<String, String> memberFacts(Role role, Role current) {
        return current == null ? Map.of(MEMBER_ROLE, role.name())
                : Map.of(MEMBER_ROLE, role.name(), MEMBER_CURRENT_ROLE, current.name());
    }

    /**
     * An explicit capability set must be device capabilities the role itself has on this appliance, including
     * VIEW_STATUS: a share narrows a role, never widens it.
     */
    private static Set<Capability> validCapabilities(Authorizer.Session session, ApplianceAccess access, Role role,
            Set<Capability> requested) {
        if (requested == null) {
            return null;
        }
        if (!requested.contains(Capability.VIEW_STATUS)) {
            throw new ApiException(ErrorCode.VALIDATION, "An explicit capability set must include VIEW_STATUS");
        }
        List<String> beyond = new ArrayList<>();
        for (Capability capability : requested) {
            if (!capability.shareable() || !session.decide(capability.name(), access.appliance().resource(),
                    List.of(Grant.of(role))).allowed()) {
                beyond.add(capability.name());
            }
        }
        if (!beyond.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION, role + " on a " + access.appliance().type()
                    + " does not include " + beyond, Map.of("capabilities", beyond));
        }
        return requested;
    }

    private static void requireRole(Role role, Set<Role> allowed, String message) {
        if (role == null || !allowed.contains(role)) {
            throw ApiException.validation(message);
        }
    }

    private static void requireFuture(OffsetDateTime expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            throw ApiException.validation("expiresAt must be in the future");
        }
    }

    private static ApiException quota(String limit) {
        return new ApiException(ErrorCode.QUOTA_EXCEEDED, "At most " + MAX_PER_TARGET + " " + limit.replace('-', ' '),
                Map.of("limit", limit, "max", MAX_PER_TARGET));
    }

    private static List<Change> shareChanges(ChangeType type, ShareRecord share, UUID ownerId, UUID actor) {
        List<UUID> audience = new ArrayList<>(List.of(share.recipientId()));
        if (ownerId != null) {
            audience.add(ownerId);
        }
        audience.add(actor);
        return notify(audience, type, ShareFacts.of(share).toJson());
    }

    private static List<Change> notify(List<UUID> users, ChangeType type, JsonObject payload) {
        return users.stream().filter(java.util.Objects::nonNull).distinct()
                .map(user -> Change.forUser(user, type, payload)).toList();
    }

    private static JsonObject invitationPayload(InvitationRecord invitation) {
        return new JsonObject().put("invitationId", invitation.id().toString())
                .put("applianceId", invitation.applianceId() == null ? null : invitation.applianceId().toString())
                .put("householdId", invitation.householdId() == null ? null : invitation.householdId().toString())
                .put("email", invitation.email()).put("role", invitation.role().name());
    }
}
