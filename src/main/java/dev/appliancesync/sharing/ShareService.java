package dev.appliancesync.sharing;

import static dev.appliancesync.sharing.SharingChanges.shareChanges;
import static dev.appliancesync.sharing.SharingRules.MAX_PER_TARGET;
import static dev.appliancesync.sharing.SharingRules.memberFacts;
import static dev.appliancesync.sharing.SharingRules.quota;
import static dev.appliancesync.sharing.SharingRules.requireFuture;
import static dev.appliancesync.sharing.SharingRules.requireRole;
import static dev.appliancesync.change.ChangeType.SHARE_GRANTED;
import static dev.appliancesync.change.ChangeType.SHARE_UPDATED;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Grant;
import dev.appliancesync.access.Guard;
import dev.appliancesync.access.Role;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdRepository;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.Emails;
import dev.appliancesync.sharing.ShareRepository.Target;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Shares of appliances: granted (or an invitation when the email has no account), revoked, left. Household
 * memberships are {@link HouseholdMemberships}', invitations {@link InvitationService}'.
 */
@ApplicationScoped
public class ShareService {

    /** The result of sharing: a share when the recipient has an account, otherwise a pending invitation. */
    public record Outcome(ShareRecord share, InvitationRecord invitation) {
    }

    private final Transactions db;
    private final ShareRepository shares;
    private final Guard guard;
    private final ApplianceRepository appliances;
    private final HouseholdRepository households;
    private final Authorizer authorizer;
    private final AccessGate gate;
    private final ChangeLog changes;
    private final InvitationService invitations;
    private final ShareRevocations revocations;

    public ShareService(Transactions db, ShareRepository shares, Guard guard, ApplianceRepository appliances,
            HouseholdRepository households, Authorizer authorizer, AccessGate gate, ChangeLog changes,
            InvitationService invitations, ShareRevocations revocations) {
        this.db = db;
        this.shares = shares;
        this.guard = guard;
        this.appliances = appliances;
        this.households = households;
        this.authorizer = authorizer;
        this.gate = gate;
        this.changes = changes;
        this.invitations = invitations;
        this.revocations = revocations;
    }

    public Uni<Outcome> shareAppliance(Caller caller, UUID applianceId, String recipientEmail, Role role,
            OffsetDateTime expiresAt, Set<Capability> capabilities) {
        String email = Emails.normalise(recipientEmail);
        requireRole(role, EnumSet.of(Role.FAMILY, Role.GUEST), "An appliance is shared as FAMILY or GUEST; "
                + "household admins are added with addHouseholdMember");
        requireFuture(expiresAt);
        return guard.change(caller.subject(), appliances, applianceId, Capability.MANAGE_SHARES, locked -> {
            ApplianceAccess access = locked.resource();
            Set<Capability> limit = validCapabilities(locked.session(), access, role, capabilities);
            return grant(locked.tx(), caller, new ShareRequest(new Target(applianceId, null),
                    access.appliance().ownerId(), email, role, limit, expiresAt));
        });
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
                    : revocations.end(tx, share, ownerId, caller.id(), "REVOKED"));
        }));
    }

    /** The caller gives up their own share of the appliance. */
    public Uni<UUID> leaveAppliance(Caller caller, UUID applianceId) {
        return db.inTransaction(tx -> shares.findActive(tx, new Target(applianceId, null), caller.id()).flatMap(found -> {
            if (found.isPresent()) {
                return appliances.find(tx, caller.id(), applianceId, true)
                        .flatMap(appliance -> revocations.end(tx, found.get(),
                                appliance.map(a -> a.appliance().ownerId()).orElse(null), caller.id(), "LEFT"))
                        .replaceWith(applianceId);
            }
            return appliances.find(tx, caller.id(), applianceId, false).flatMap(appliance -> {
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

    /** Unrevoked shares of the appliances (the caller must already be allowed to manage them). */
    public Uni<List<ShareRecord>> sharesOfAppliances(List<UUID> applianceIds) {
        return shares.unrevoked(db.reads(), ShareRepository.TargetKind.APPLIANCE, applianceIds);
    }

    /** A share for the account with the request's verified email; an invitation when there is none. */
    private Uni<Outcome> grant(SqlConnection tx, Caller caller, ShareRequest request) {
        if (request.email().equals(caller.user().email())) {
            return Uni.createFrom().failure(ApiException.validation("You cannot share with yourself"));
        }
        Target target = request.target();
        UUID ownerId = request.ownerId();
        // One statement finds the recipient, counts and writes; the checks below only name what kept it from writing.
        return shares.grant(tx, target, request.email(), request.role(), request.capabilities(), caller.id(), ownerId,
                request.expiresAt(), MAX_PER_TARGET).flatMap(attempt -> {
            if (attempt.recipientId() == null) {
                return invitations.invite(tx, caller, request, null).map(invitation -> new Outcome(null, invitation));
            }
            if (attempt.recipientId().equals(caller.id())) {
                return Uni.createFrom().failure(ApiException.validation("You cannot share with yourself"));
            }
            if (attempt.recipientId().equals(ownerId)) {
                return Uni.createFrom().failure(ApiException.validation("This person owns it already"));
            }
            if (attempt.othersActive() >= MAX_PER_TARGET) {
                return Uni.createFrom().failure(quota("shares-per-target"));
            }
            ShareRecord share = attempt.share();
            return changes.append(tx, shareChanges(attempt.created() ? SHARE_GRANTED : SHARE_UPDATED, share, ownerId,
                    caller.id())).replaceWith(new Outcome(share, null));
        });
    }

    /** Management of a share is management of what it shares: the appliance's shares or the household's members. */
    private Uni<UUID> requireManage(SqlConnection tx, Authorizer.Session session, ShareRecord share) {
        if (share.applianceId() != null) {
            return guard.require(tx, session, appliances, share.applianceId(), Capability.MANAGE_SHARES, Map.of())
                    .map(access -> access.appliance().ownerId());
        }
        return guard.require(tx, session, households, share.householdId(), HouseholdAction.MANAGE_MEMBERS,
                memberFacts(share.role(), share.role())).map(h -> h.household().ownerId());
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
}
